package jsonapi

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// escapedByteByByte is appendEscaped as it was before plain8: one byte at a time. The two must
// agree on every input.
func escapedByteByByte(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				b = append(b, c)
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// Every byte that needs escaping, at every position of an 8-byte group and around it, next to
// every neighbour that borrows in plain8's arithmetic (0x00, 0x1f, 0x20, '!', '#', '[', ']', 0x7f,
// 0x80, 0xff).
func TestAppendEscapedByGroups(t *testing.T) {
	t.Parallel()
	special := []byte{0x00, 0x01, 0x08, '\t', '\n', '\r', 0x1f, '"', '\\', 0x80, 0xc3, 0xe2, 0xff}
	neighbours := []byte{0x00, 0x1f, 0x20, '!', '#', '[', ']', 'a', 0x7f, 0x80, 0xff}
	n := 0
	for _, c := range special {
		for _, nb := range neighbours {
			for pos := range 17 {
				in := []byte(strings.Repeat("abcdefgh", 3))
				in[pos] = c
				in[pos+1] = nb
				s := string(in)
				if got, want := string(appendEscaped(nil, s)), escapedByteByByte(s); got != want {
					t.Fatalf("%q: %q, byte by byte %q", s, got, want)
				}
				n++
			}
		}
	}
	for _, s := range []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", "é", "line\u2028sep\u2029ara", "\u00e9t\u00e9 \u65e5\u672c", "x\"y\\z"} {
		if got, want := string(appendEscaped(nil, s)), escapedByteByByte(s); got != want {
			t.Errorf("%q: %q, byte by byte %q", s, got, want)
		}
	}
	if n != len(special)*len(neighbours)*17 {
		t.Fatalf("%d cases", n)
	}
}

func FuzzAppendEscaped(f *testing.F) {
	for _, s := range []string{"", "plain ASCII text of some length", "tab\there \"quoted\" back\\slash", "\x00\x1f\x7f\x80\xff", "été\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendEscaped(nil, s)), escapedByteByByte(s); got != want {
			t.Fatalf("%q: %q, byte by byte %q", s, got, want)
		}
	})
}
