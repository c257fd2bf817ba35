package screens

import (
	"context"

	"github.com/caravan-p2p/caravan/app"
)

// BookingBackend is what the booking screens (the Book section of a listing,
// Trips, the conversation, the review form and the person view) need from
// the app. Like Backend's, its methods are called off the UI goroutine and
// may block; bad input comes back as an *app.InputError.
type BookingBackend interface {
	// Book sends a booking request to a listing's owner.
	Book(ctx context.Context, in app.BookingInput) (app.Booking, error)
	// Bookings lists the user's bookings as owner or renter, most recently
	// changed first.
	Bookings(ctx context.Context, role app.Role) ([]app.Booking, error)
	// Booking returns one of the user's bookings.
	Booking(ctx context.Context, id string) (app.Booking, error)
	// AcceptBooking, DeclineBooking, CancelBooking and CompleteBooking take
	// a step of a booking and tell the other party.
	AcceptBooking(ctx context.Context, id string, in app.AcceptInput) (app.Booking, error)
	DeclineBooking(ctx context.Context, id, reason string) (app.Booking, error)
	CancelBooking(ctx context.Context, id, reason string) (app.Booking, error)
	CompleteBooking(ctx context.Context, id string) (app.Booking, error)
	// MarkPaid (renter) and MarkReceived (owner) record a payment made
	// outside Caravan and send the other party a signed note of it.
	MarkPaid(ctx context.Context, id string) (app.Booking, error)
	MarkReceived(ctx context.Context, id string) (app.Booking, error)
	// FollowPerson makes the node catch up the records about a peer
	// (profile, reviews of them, vouches) from the peers that have them, so
	// the person view soon shows their whole record.
	FollowPerson(peer string) error
	// Messages lists the private messages with a peer, oldest first.
	Messages(ctx context.Context, with string) ([]app.Message, error)
	// SendChat queues a chat message to a peer, outside any booking (a
	// question before booking).
	SendChat(ctx context.Context, to, text string) (string, error)
	// MessagesFor lists the private messages about a booking, oldest
	// first: chats and the booking's steps.
	MessagesFor(ctx context.Context, bookingID string) ([]app.Message, error)
	// SendBookingMessage queues a chat message about a booking to its other
	// party.
	SendBookingMessage(ctx context.Context, bookingID, text string) (string, error)
	// MarkRead marks the messages received about a booking, or from a
	// peer, read and sends their author a read receipt.
	MarkRead(ctx context.Context, bookingOrPeer string) (int, error)
	// WriteReview seals a review of the other party of a booking.
	WriteReview(ctx context.Context, bookingID string, in app.ReviewInput) (app.ReviewState, error)
	// ReviewState says where the user's review of a booking stands; an
	// *app.InputError when the user has not reviewed it.
	ReviewState(ctx context.Context, bookingID string) (app.ReviewState, error)
	// Reviews lists published reviews about subject, by author or of a
	// listing; empty arguments do not filter.
	Reviews(ctx context.Context, subject, author, listingID string) ([]app.Review, error)
	// Reputation sums up the reviews of a peer known here.
	Reputation(ctx context.Context, peer string) (app.Reputation, error)
	// ListingTerms reads a listing's cancellation policy and instant book
	// from its record (search results do not carry them).
	ListingTerms(ctx context.Context, id string) (app.BookingTerms, error)
	// ListingTitle names a room or a ride known here.
	ListingTitle(ctx context.Context, id string) (string, error)
	// Block hides a person's listings and refuses their messages.
	Block(ctx context.Context, peer, reason string) error
	// ReportPeer keeps a private note about a person on this device.
	ReportPeer(ctx context.Context, peer, note string) error
}
