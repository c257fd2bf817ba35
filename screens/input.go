package screens

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"github.com/caravan-p2p/caravan/app"
)

// Limits of a room, as the record rules set them. The screens check them as
// the user types so that mistakes show at once; the backend checks them again
// and has the last word (its errors are shown at the field too).
const (
	maxTitle       = app.MaxTitle
	maxDescription = app.MaxDescription
	maxGuests      = app.MaxGuests
	maxAmenities   = app.MaxAmenities
	maxTag         = app.MaxTag
	maxPrice       = app.MaxPrice
)

var decimalRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// errNotNumber is returned by parseDecimal for text that is not a number.
var errNotNumber = errors.New("not a number")

// parseDecimal reads a plain decimal number such as "45", "-33.87" or, as
// many people write it, "45,50". Exponents, hex, "NaN" and "Inf" are refused.
func parseDecimal(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	if !decimalRE.MatchString(s) {
		return 0, errNotNumber
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errNotNumber
	}
	return v, nil
}

// parseCoordinate reads one coordinate in decimal degrees: "52.3702",
// "-33.87", "52.3702° N", "4.89 W". pos and neg are the hemisphere letters
// ("N", "S" for a latitude; "E", "W" for a longitude).
func parseCoordinate(s, pos, neg string) (float64, error) {
	s = strings.TrimSpace(s)
	sign := 1.0
	hemi := false
	if n := len(s); n > 0 {
		switch last := strings.ToUpper(s[n-1:]); last {
		case pos, neg:
			hemi = true
			if last == neg {
				sign = -1
			}
			s = strings.TrimSpace(s[:n-1])
		}
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "°"))
	v, err := parseDecimal(s)
	if err != nil {
		return 0, err
	}
	if hemi && strings.HasPrefix(s, "-") {
		return 0, errors.New(lang.L("use a minus sign or {{.Letter}}, not both", tdata{"Letter": neg}))
	}
	return sign * v, nil
}

// splitCoordPair recognises a latitude and longitude pasted together, as map
// sites copy them: "52.3702, 4.8952", "52.3702 4.8952", "52.37° N, 4.89° E".
// A single comma between digits with no dot ("52,37") is a decimal comma, not
// a pair.
func splitCoordPair(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSpace(s)
	var a, b string
	switch {
	case strings.Count(s, ";") == 1:
		a, b, _ = strings.Cut(s, ";")
	case strings.Count(s, ",") == 1 && (strings.Contains(s, ", ") || strings.Contains(s, ".")):
		a, b, _ = strings.Cut(s, ",")
	default:
		f := strings.Fields(s)
		if len(f) != 2 {
			return 0, 0, false
		}
		a, b = f[0], f[1]
	}
	lat, err1 := parseCoordinate(a, "N", "S")
	lon, err2 := parseCoordinate(b, "E", "W")
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

// normalizeText turns Windows and old Mac line ends into "\n": the record
// rules refuse a carriage return.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func hasControl(s string) bool {
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' {
			return true
		}
	}
	return false
}

// The field validators return an error whose text is shown under the field.

func validateTitle(s string) error {
	n := utf8.RuneCountInString(s)
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New(lang.L("a title is required"))
	case n > maxTitle:
		return errors.New(lang.L("{{.Count}} characters; at most {{.Max}}", tdata{"Count": n, "Max": maxTitle}))
	case hasControl(s):
		return errors.New(lang.L("contains a control character"))
	}
	return nil
}

func validateDescription(s string) error {
	s = normalizeText(s)
	if n := utf8.RuneCountInString(s); n > maxDescription {
		return errors.New(lang.L("{{.Count}} characters; at most {{.Max}}", tdata{"Count": groupThousands(strconv.Itoa(n)), "Max": groupThousands(strconv.Itoa(maxDescription))}))
	}
	if hasControl(s) {
		return errors.New(lang.L("contains a control character"))
	}
	return nil
}

// coordinateValidator checks a latitude or a longitude: what gives its name
// in the language shown.
func coordinateValidator(what func() string, pos, neg, example string, limit float64) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(lang.L("required: the {{.What}} in decimal degrees, e.g. {{.Example}}", tdata{"What": what(), "Example": example}))
		}
		v, err := parseCoordinate(s, pos, neg)
		if errors.Is(err, errNotNumber) {
			return errors.New(lang.L("{{.Text}} is not a number; use decimal degrees, e.g. {{.Example}}", tdata{"Text": quoteShort(s), "Example": example}))
		}
		if err != nil {
			return err
		}
		if v < -limit || v > limit {
			return errors.New(lang.L("a {{.What}} is between -{{.Limit}} and {{.Limit}}", tdata{"What": what(), "Limit": limit}))
		}
		return nil
	}
}

var (
	validateLat = coordinateValidator(func() string { return lang.L("latitude") }, "N", "S", "52.3702", 90)
	validateLon = coordinateValidator(func() string { return lang.L("longitude") }, "E", "W", "4.8952", 180)
)

func validatePrice(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(lang.L("required; 0 if the room is free"))
	}
	v, err := parseDecimal(s)
	switch {
	case err != nil:
		return errors.New(lang.L("{{.Text}} is not a number; e.g. 45 or 45.50", tdata{"Text": quoteShort(s)}))
	case v < 0:
		return errors.New(lang.L("can't be negative"))
	case v > maxPrice:
		return errors.New(lang.L("at most {{.Max}}", tdata{"Max": groupThousands(strconv.Itoa(maxPrice))}))
	}
	return nil
}

// cleanCurrency is the currency code as sent: trimmed and upper case.
func cleanCurrency(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func validateCurrency(s string) error {
	c := cleanCurrency(s)
	if app.CheckCurrency(c) != nil {
		return errors.New(lang.L("a three-letter ISO 4217 code such as EUR or USD"))
	}
	return nil
}

func validateGuests(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(lang.L("required: how many guests can stay, 1 to {{.Max}}", tdata{"Max": maxGuests}))
	}
	if _, ok := guestCount(s); !ok {
		return errors.New(lang.L("a whole number from 1 to {{.Max}}", tdata{"Max": maxGuests}))
	}
	return nil
}

// guestCount reads a number of guests: a whole number from 1 to maxGuests.
func guestCount(s string) (n int, ok bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 1 && n <= maxGuests
}

// stayProblem says what is wrong with a stay from check-in day from to
// check-out day to, both YYYY-MM-DD, on day today; "" when nothing is.
func stayProblem(from, to, today string) string {
	switch {
	case to <= from:
		return lang.L("Check-out comes after check-in.")
	case from < today:
		return lang.L("Check-in has passed; choose a day from today.")
	}
	return ""
}

// amenityList merges the checked common amenities and the comma-separated
// others into the list a room carries: trimmed, without empties, without
// repeats (ignoring case), checked ones first.
func amenityList(checked []string, others string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.TrimSpace(t)
		if k := strings.ToLower(t); t != "" && !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	for _, t := range checked {
		add(t)
	}
	for _, t := range strings.Split(others, ",") {
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n > maxTag {
			return nil, errors.New(lang.L("{{.Text}} is {{.Count}} characters; at most {{.Max}} each", tdata{"Text": quoteShort(t), "Count": n, "Max": maxTag}))
		}
		if hasControl(t) {
			return nil, errors.New(lang.L("contains a control character"))
		}
		add(t)
	}
	if len(out) > maxAmenities {
		return nil, errors.New(lang.L("{{.Count}} amenities; at most {{.Max}}", tdata{"Count": len(out), "Max": maxAmenities}))
	}
	return out, nil
}

// quoteShort quotes what the user typed for a message, cut to a readable
// length: “abc”.
func quoteShort(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 24 {
		s = string(r[:23]) + "…"
	}
	return "“" + s + "”"
}
