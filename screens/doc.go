// Package screens is Caravan's desktop user interface, built with Fyne.
//
// The screens show and edit through the app package only (DESIGN §1): they
// never import domain, storage or p2p. Everything they need from the node is
// the Backend interface, which *app.Node implements and tests fake.
//
// Threading: Fyne runs every widget callback on its UI goroutine. Work that
// may block (queries, posting) runs on goroutines of ours, which hand their
// results back with fyne.Do; widgets are only touched on the UI goroutine.
package screens
