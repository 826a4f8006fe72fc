package jsonapi

import (
	"net/url"
	"strconv"
)

// Links are valid URIs (api.md section 20): the links the server builds from the request URL
// (self of collections and items, first/prev/next) percent-encode their path and query as
// RFC 3986 requires, whatever form the client sent (`filter[id]>5` becomes `filter%5Bid%5D%3E5`).
// Each query part is decoded the way ParseQuery reads it and encoded again, so the link reads
// back as the same parameters.

// requestLink is the absolute URL of the request u. With page > 0 (a paging link) every
// page[number] is replaced by page, which is left out for page 1.
func requestLink(base string, u *url.URL, page int) string {
	b := make([]byte, 0, len(base)+len(u.Path)+len(u.RawQuery)+32)
	return string(appendRequestTarget(append(b, base...), u, page))
}

// appendLink appends requestLink(base, u, page) as a JSON string, without making the string
// first (two allocations of every document with links).
func appendLink(b []byte, base string, u *url.URL, page int) []byte {
	b = append(b, '"')
	b = appendEscaped(b, base)
	// the path and query as appendRequestTarget writes them are JSON text as they are: only
	// the bytes RFC 3986 allows, every other one percent-encoded
	return append(appendRequestTarget(b, u, page), '"')
}

// appendRequestTarget appends the path and query of requestLink.
func appendRequestTarget(b []byte, u *url.URL, page int) []byte {
	b = appendURIEscaped(b, u.EscapedPath(), &pathByte, true)
	sep := byte('?')
	for raw := u.RawQuery; raw != ""; {
		var part string
		part, raw, _ = cutAmp(raw)
		if part == "" {
			continue
		}
		dec := unescape(part)
		if page > 0 && parsePart(dec).Key == "page[number]" {
			continue
		}
		b = append(b, sep)
		sep = '&'
		b = appendURIEscaped(b, dec, &queryByte, false)
	}
	if page > 1 {
		b = append(b, sep)
		b = append(b, "page%5Bnumber%5D="...)
		b = strconv.AppendInt(b, int64(page), 10)
	}
	return b
}

// The characters RFC 3986 allows literally in a path (pchar and "/") and in a query part of ours:
// unreserved, the sub-delimiters but "&" (it separates parameters) and "+" (ParseQuery reads it
// as a space, like HTML forms), ":", "@", "/" and "?".
var pathByte, queryByte [256]bool

func init() {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,;=:@/") {
		pathByte[c], queryByte[c] = true, true
	}
	pathByte['&'], pathByte['+'] = true, true
	queryByte['?'] = true
}

// appendURIEscaped appends s with every byte that allowed does not name percent-encoded. With
// keepEscapes, an escape that s has already (%2F in an id of the path) stays as it is.
func appendURIEscaped(b []byte, s string, allowed *[256]bool, keepEscapes bool) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case allowed[c]:
			b = append(b, c)
		case keepEscapes && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, s[i:i+3]...)
			i += 2
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// CheckHost refuses a Host header that would make the links built from it invalid URIs: only
// the characters RFC 3986 allows in an authority (a name or address, and a port), with valid
// percent escapes. The server calls it at the start of every API request.
func CheckHost(host string) error {
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c == '%' && i+2 < len(host) && isHex(host[i+1]) && isHex(host[i+2]):
			i += 2
		case c != '%' && c != '?' && c != '/' && queryByte[c], c == '[', c == ']':
		default:
			return BadHeader("Host", TitleValue, "The Host header should be a host name or address, with an optional port.")
		}
	}
	return nil
}
