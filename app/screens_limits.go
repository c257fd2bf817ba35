package app

import "github.com/caravan-p2p/caravan/domain"

// Limits of photos and rides, for forms to check as the user types.
const (
	MaxPhotos      = domain.MaxPhotos
	MaxSeats       = domain.MaxSeats
	MaxRoutePoints = domain.MaxRoutePoints
)
