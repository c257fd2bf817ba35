// Package localeenv keeps fyne's lang package from logging an error at every
// start of Caravan, desktop app and scripting commands alike, on a system
// whose locale is C with a codeset, such as "C.UTF-8" (a common default of
// servers, containers and CI machines).
//
// fyne reads the system's languages through go-locale, which treats "C" and
// "POSIX" as no language but takes "C.UTF-8" for the language "C"; parsing it
// fails, and fyne logs "Error parsing user locale C" before falling back to
// English. It does so first in its package's init, before main runs. This
// package's init runs earlier still, since Go initialises the packages that
// are ready in the order of their import paths and this one only needs os
// and strings (go-locale's path sorts after it): it sets LANGUAGE to "en",
// which go-locale reads next, so fyne picks English as before, silently.
//
// Import it for its side effect, as the screens package does.
package localeenv

import (
	"os"
	"strings"
)

func init() {
	if languageFor(os.Getenv) != "" {
		os.Setenv("LANGUAGE", "en")
	}
}

// languageFor returns the LANGUAGE that makes go-locale read the locale in
// getenv as English, or "" when it reads it well already: when LANGUAGE is
// set, or when the locale for messages (the first set of LC_ALL,
// LC_MESSAGES and LANG, as go-locale and gettext take it) is not C or POSIX
// with a codeset or modifier.
func languageFor(getenv func(string) string) string {
	if getenv("LANGUAGE") != "" {
		return ""
	}
	var loc string
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(key); loc != "" {
			break
		}
	}
	base, _, _ := strings.Cut(loc, "@")
	base, _, _ = strings.Cut(base, ".")
	if (base == "C" || base == "POSIX") && base != loc {
		return "en"
	}
	return ""
}
