package screens

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"
)

// currencySymbols are the currencies shown with a symbol before the amount;
// every other currency is shown as "45 SEK". Only unambiguous symbols are
// listed: "$" is the US dollar alone.
var currencySymbols = map[string]string{
	"EUR": "€",
	"USD": "$",
	"GBP": "£",
	"JPY": "¥",
}

// formatMoney writes an amount with its currency: "€45", "€45.50",
// "1,200 SEK". Whole amounts are shown without decimals.
func formatMoney(amount float64, currency string) string {
	var num string
	if amount == math.Trunc(amount) && math.Abs(amount) < 1e15 {
		num = groupThousands(strconv.FormatFloat(amount, 'f', 0, 64))
	} else {
		s := strconv.FormatFloat(amount, 'f', 2, 64)
		whole, frac, _ := strings.Cut(s, ".")
		num = groupThousands(whole) + lang.X("number.decimal", ".") + frac
	}
	if sym, ok := currencySymbols[currency]; ok {
		// English writes "€45", French "45 €".
		return lang.X("money.symbol", "{{.Symbol}}{{.Amount}}", tdata{"Symbol": sym, "Amount": num})
	}
	if currency == "" {
		return num
	}
	return num + " " + currency
}

// formatNightly writes a room's price: "€45 / night".
func formatNightly(amount float64, currency string) string {
	return lang.L("{{.Price}} / night", tdata{"Price": formatMoney(amount, currency)})
}

// groupThousands puts the language's separator between groups of three
// digits of an integer: "1,200", in French "1 200".
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	sep := lang.X("number.thousands", ",")
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return sign + b.String()
}

// formatCoords writes a place as "52.370° N, 4.890° E". Three decimals are
// about a hundred metres: as precise as a public, approximate location needs.
// The letters are the same in every language, so the text can be pasted
// back into a coordinate field.
func formatCoords(lat, lon float64) string {
	hemi := func(v float64, pos, neg string) string {
		if math.Round(v*1000) < 0 {
			return fmt.Sprintf("%.3f° %s", -v, neg)
		}
		return fmt.Sprintf("%.3f° %s", math.Abs(v), pos)
	}
	return hemi(lat, "N", "S") + ", " + hemi(lon, "E", "W")
}

// formatGuests writes a room's capacity: "up to 2 guests".
func formatGuests(n int) string {
	return lang.N("up to {{.Count}} guests", n, countOf(n))
}

// countOf is the data of a plural message: its {{.Count}} is n written
// with the language's thousands separator.
func countOf(n int) tdata {
	return tdata{"Count": groupThousands(strconv.Itoa(n))}
}

// formatAge writes how long ago t was, coarsely: "just now", "5 min ago",
// "3 h ago", "yesterday", "4 days ago", then the date.
func formatAge(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return lang.L("just now")
	case d < time.Hour:
		return lang.L("{{.Count}} min ago", countOf(int(d/time.Minute)))
	case d < 24*time.Hour:
		return lang.L("{{.Count}} h ago", countOf(int(d/time.Hour)))
	case d < 48*time.Hour:
		return lang.L("yesterday")
	case d < 7*24*time.Hour:
		return lang.N("{{.Count}} days ago", int(d/(24*time.Hour)), countOf(int(d/(24*time.Hour))))
	}
	t = t.Local()
	return fmt.Sprintf("%d %s %d", t.Day(), monthName(t.Month()), t.Year())
}

// formatDayTime writes when something happens in the coming days, in local
// time: "Mon 2 Jan 15:04".
func formatDayTime(t time.Time) string {
	t = t.Local()
	return fmt.Sprintf("%s %d %s %s", weekdayName(t.Weekday()), t.Day(), monthName(t.Month()), t.Format("15:04"))
}

// monthName is a month's short name: "Jan", in French "janv.".
func monthName(m time.Month) string {
	return [...]string{
		lang.L("Jan"), lang.L("Feb"), lang.L("Mar"), lang.L("Apr"), lang.L("May"), lang.L("Jun"),
		lang.L("Jul"), lang.L("Aug"), lang.L("Sep"), lang.L("Oct"), lang.L("Nov"), lang.L("Dec"),
	}[(m-1)%12]
}

// weekdayName is a day's short name: "Mon", in French "lun.".
func weekdayName(d time.Weekday) string {
	return [...]string{
		lang.L("Sun"), lang.L("Mon"), lang.L("Tue"), lang.L("Wed"), lang.L("Thu"), lang.L("Fri"), lang.L("Sat"),
	}[d%7]
}

// shortID abbreviates a long identifier such as a peer ID for display:
// "12D3Koo…x7Yq".
func shortID(id string) string {
	if utf8.RuneCountInString(id) <= 14 {
		return id
	}
	r := []rune(id)
	return string(r[:7]) + "…" + string(r[len(r)-4:])
}

// commonAmenities are offered as check boxes when posting a room. Tag is
// what the record carries (and what searches match); Label is what people
// read.
var commonAmenities = []struct{ Tag, Label string }{
	{"wifi", "Wi-Fi"},
	{"kitchen", "Kitchen"},
	{"heating", "Heating"},
	{"air conditioning", "Air conditioning"},
	{"washer", "Washing machine"},
	{"parking", "Parking"},
	{"workspace", "Workspace"},
	{"breakfast", "Breakfast"},
	{"pets allowed", "Pets allowed"},
	{"step-free access", "Step-free access"},
}

// amenityLabel is how an amenity tag is shown: the label of a common one,
// else the tag as its author wrote it, capitalised.
func amenityLabel(tag string) string {
	for _, a := range commonAmenities {
		if strings.EqualFold(a.Tag, tag) {
			return lang.L(a.Label)
		}
	}
	return sentence(tag)
}

// formatAmenities writes a room's amenities as "Wi-Fi · Kitchen · sauna".
func formatAmenities(tags []string) string {
	labels := make([]string, 0, len(tags))
	for _, t := range tags {
		labels = append(labels, amenityLabel(t))
	}
	return strings.Join(labels, " · ")
}
