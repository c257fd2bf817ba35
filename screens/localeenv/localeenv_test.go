package localeenv

import "testing"

func TestLanguageFor(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, ""},
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"C.utf8 in LC_ALL", map[string]string{"LC_ALL": "C.utf8", "LANG": "fr_FR.UTF-8"}, "en"},
		{"POSIX with a modifier", map[string]string{"LC_MESSAGES": "POSIX@euro"}, "en"},
		{"plain C: go-locale reads it as no language", map[string]string{"LANG": "C"}, ""},
		{"plain POSIX", map[string]string{"LC_ALL": "POSIX"}, ""},
		{"a language", map[string]string{"LANG": "fr_FR.UTF-8"}, ""},
		{"LC_ALL wins over a C LANG", map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"LANGUAGE already chosen", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr"}, ""},
		{"a locale named like C", map[string]string{"LANG": "ca_ES.UTF-8"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := languageFor(func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("languageFor(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}
