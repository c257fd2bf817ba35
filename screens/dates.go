package screens

import (
	"fmt"
	"time"
)

// The date formats of the screens, with the month and weekday names of the
// language shown (monthName, weekdayName). They write t as given: the
// caller turns it to local time first where that is meant.

// formatDate writes a day with its year: "2 Jan 2006".
func formatDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthName(t.Month()), t.Year())
}

// formatDay writes a day of the coming weeks: "Mon 2 Jan".
func formatDay(t time.Time) string {
	return fmt.Sprintf("%s %d %s", weekdayName(t.Weekday()), t.Day(), monthName(t.Month()))
}

// formatDayMonth writes a day without its weekday: "2 Jan".
func formatDayMonth(t time.Time) string {
	return fmt.Sprintf("%d %s", t.Day(), monthName(t.Month()))
}

// formatDateTime writes a recent moment: "2 Jan 15:04".
func formatDateTime(t time.Time) string {
	return fmt.Sprintf("%d %s %s", t.Day(), monthName(t.Month()), t.Format("15:04"))
}

// formatMonth writes a month with its year: "Jan 2006".
func formatMonth(t time.Time) string {
	return fmt.Sprintf("%s %d", monthName(t.Month()), t.Year())
}
