package screens

import (
	"testing"
	"time"

	"github.com/caravan-p2p/caravan/app"
)

// TestTripsAndListingsInFrench: the lines of Trips and My listings built
// from counts and dates read as French, with French plurals and month
// names, once French is loaded. (No count of 0: its form follows the
// plural rules of the language fyne picked from the system, see loadLanguage.)
func TestTripsAndListingsInFrench(t *testing.T) {
	useFrench(t)
	start := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	now := start.AddDate(0, 0, -30)
	room := app.Booking{ListingKind: app.KindRoom, StartAt: start, EndAt: start.AddDate(0, 0, 3), Guests: 1}
	requested := room
	requested.Status, requested.Role = app.BookingRequested, app.RoleRenter
	listing := app.MyListing{Kind: app.KindRoom, ExpiresAt: now.Add(59*24*time.Hour + time.Hour), Bookings: 1, Requests: 2}
	for _, c := range []struct{ name, got, want string }{
		{"room dates", tripDates(room), "10 déc. → 13 déc. 2026 · 3 nuits · 1 voyageur"},
		{"status", statusText(requested, now), "Demandée · en attente de réponse"},
		{"listing", listingSummary(listing, now),
			"Logement · expire le " + formatDate(listing.ExpiresAt.Local()) +
				" (dans 59 jours ; renouvelée d'elle-même tant que Caravan tourne) · 1 réservation à venir · 2 demandes en attente"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
