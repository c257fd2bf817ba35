package app

// PublicPin is where a room at the exact point (lat, lon) shows on the
// public map: 150 to 400 m away, stable for the point and computable only
// with the user's key (DESIGN §4). The exact place reaches a renter only in
// the sealed acceptance (AcceptInput.Address).
func (n *Node) PublicPin(lat, lon float64) (float64, float64, error) {
	return n.id.ApproximatePin(lat, lon)
}
