package wsse

import (
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // the WSSE digest is SHA-1 by definition (api.md section 16)
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"webapi/server/auth"
)

// Bounds of what a header may hold. A client's header is far below them (a nonce of 16 to 32
// bytes, a digest of 28 characters, a date of 25); beyond them the header is refused before
// anything else is done with it.
const (
	maxXWSSE         = 2048 // bytes of the X-WSSE header
	maxAuthorization = 256  // bytes of the Authorization header
	maxParams        = 8    // Name="value" pairs of the X-WSSE header
	maxUsername      = 255  // characters, as users.username
	maxNonce         = 200  // characters of the Nonce as sent (its canonical form, stored, fits wsse_nonces.nonce)
	maxCreated       = 64   // characters of Created
)

// Token is the UsernameToken of an X-WSSE header, parsed and checked for form (not yet for
// time, digest or replay).
type Token struct {
	Username string
	Digest   []byte // the PasswordDigest, decoded: a SHA-1 sum
	Nonce    []byte // decoded
	Created  string // as sent: the digest covers the text
	At       time.Time
}

// failure is a refusal of the credentials, with the sentence the client gets.
func failure(detail string) error { return &auth.Failure{Detail: detail} }

// The answers to headers that are not well-formed.
var (
	errAuthorization = failure(`The Authorization header must be WSSE profile="UsernameToken".`)
	errNoHeader      = failure("The request has no X-WSSE header.")
	errManyHeaders   = failure("The request has more than one X-WSSE header.")
	errTooLong       = failure("The X-WSSE header is too long.")
	errNotToken      = failure("The X-WSSE header must be a UsernameToken.")
	errSyntax        = failure(`The X-WSSE header must be UsernameToken followed by Name="value" pairs separated by commas.`)
	errUsername      = failure("The X-WSSE Username is invalid.")
	errNonce         = failure("The X-WSSE Nonce must be base64.")
	errDigestForm    = failure("The X-WSSE PasswordDigest must be a base64 SHA-1 digest.")
	errCreated       = failure("The X-WSSE Created must be an RFC 3339 date-time.")
)

// checkAuthorization checks the Authorization header of a WSSE request: `WSSE
// profile="UsernameToken"` (the scheme's name in any case, the profile quoted or not).
func checkAuthorization(h string) error {
	if len(h) > maxAuthorization {
		return errAuthorization
	}
	name, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(name, Name) {
		return errAuthorization
	}
	params, ok := parseParams(strings.TrimLeft(rest, " \t"), true)
	if !ok || params["profile"] != "UsernameToken" {
		return errAuthorization
	}
	return nil
}

// ParseToken reads an X-WSSE header:
//
//	UsernameToken Username="admin", PasswordDigest="…", Nonce="…", Created="2016-09-20T10:00:00+03:00"
//
// The four fields are required, once each, in any order; other Name="value" pairs are allowed
// and ignored. Values are quoted, without escapes. The Nonce and the PasswordDigest are base64
// (the Nonce with or without padding); Created is an RFC 3339 date-time. A header that is not so
// is refused with a *auth.Failure that says what is wrong with it.
func ParseToken(h string) (*Token, error) {
	if len(h) > maxXWSSE {
		return nil, errTooLong
	}
	if !utf8.ValidString(h) {
		return nil, errSyntax
	}
	rest, ok := strings.CutPrefix(h, "UsernameToken")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return nil, errNotToken
	}
	params, ok := parseParams(strings.TrimLeft(rest, " \t"), false)
	if !ok {
		return nil, errSyntax
	}
	for _, name := range []string{"Username", "PasswordDigest", "Nonce", "Created"} {
		if _, ok := params[name]; !ok {
			return nil, failure("The X-WSSE header lacks " + name + ".")
		}
	}
	t := &Token{Username: params["Username"], Created: params["Created"]}
	if t.Username == "" || utf8.RuneCountInString(t.Username) > maxUsername {
		return nil, errUsername
	}
	var err error
	if t.Nonce, err = decodeNonce(params["Nonce"]); err != nil {
		return nil, errNonce
	}
	if t.Digest, err = base64.StdEncoding.Strict().DecodeString(params["PasswordDigest"]); err != nil || len(t.Digest) != sha1.Size {
		return nil, errDigestForm
	}
	if len(t.Created) > maxCreated {
		return nil, errCreated
	}
	if t.At, err = time.Parse(time.RFC3339, t.Created); err != nil {
		return nil, errCreated
	}
	return t, nil
}

// decodeNonce decodes a nonce in standard base64, padded or not (some clients drop the
// padding); an empty nonce is refused.
func decodeNonce(s string) ([]byte, error) {
	if s == "" || len(s) > maxNonce {
		return nil, fmt.Errorf("wsse: nonce length %d", len(s))
	}
	enc := base64.StdEncoding.Strict()
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding.Strict()
	}
	return enc.DecodeString(s)
}

// parseParams reads a comma-separated list of name=value pairs, the values quoted (and, when
// tokens is true, also bare tokens, as in the Authorization header). Names are letters; a
// quoted value holds no quote, no backslash and no control character. A name given twice, an
// empty name, anything else between the pairs, or more than maxParams pairs make ok false.
func parseParams(s string, tokens bool) (params map[string]string, ok bool) {
	params = map[string]string{}
	for s != "" {
		if len(params) == maxParams {
			return nil, false
		}
		i := 0
		for i < len(s) && isLetter(s[i]) {
			i++
		}
		name := s[:i]
		if name == "" || i == len(s) || s[i] != '=' {
			return nil, false
		}
		if _, dup := params[name]; dup {
			return nil, false
		}
		s = s[i+1:]
		var value string
		switch {
		case s != "" && s[0] == '"':
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, false
			}
			value, s = s[1:1+end], s[2+end:]
			for j := 0; j < len(value); j++ {
				if c := value[j]; c < 0x20 || c == 0x7f || c == '\\' {
					return nil, false
				}
			}
		case tokens:
			j := 0
			for j < len(s) && s[j] != ',' && s[j] != ' ' && s[j] != '\t' && s[j] != '"' && s[j] > 0x20 && s[j] != 0x7f {
				j++
			}
			if j == 0 {
				return nil, false
			}
			value, s = s[:j], s[j:]
		default:
			return nil, false
		}
		params[name] = value
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, false
		}
		s = strings.TrimLeft(s[1:], " \t")
		if s == "" {
			return nil, false // a trailing comma
		}
	}
	return params, len(params) > 0
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Digest is the PasswordDigest of a header: base64(sha1(nonce + created + apiKey)), nonce
// decoded and created as sent.
func Digest(nonce []byte, created, apiKey string) string {
	sum := digest(nonce, created, apiKey)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func digest(nonce []byte, created, apiKey string) [sha1.Size]byte {
	h := sha1.New() //nolint:gosec // see the import
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(apiKey))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	return sum
}

// Headers returns the Authorization and X-WSSE header values that authenticate username with
// apiKey at now, with a fresh random nonce (what `webapi wsse-header` prints, and what a client
// sends).
func Headers(username, apiKey string, now time.Time) (authorization, xwsse string, err error) {
	if username == "" || strings.ContainsAny(username, "\"\\") || !utf8.ValidString(username) || strings.IndexFunc(username, isControl) >= 0 {
		return "", "", fmt.Errorf("wsse: a username must not be empty nor hold quotes, backslashes or control characters: %q", username)
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", "", err
	}
	authorization, xwsse = HeadersWith(username, apiKey, nonce, now.Format(time.RFC3339))
	return authorization, xwsse, nil
}

// HeadersWith is Headers with a given nonce and Created (tests, known vectors); username is
// written as it is.
func HeadersWith(username, apiKey string, nonce []byte, created string) (authorization, xwsse string) {
	return `WSSE profile="UsernameToken"`, fmt.Sprintf(`UsernameToken Username="%s", PasswordDigest="%s", Nonce="%s", Created="%s"`,
		username, Digest(nonce, created, apiKey), base64.StdEncoding.EncodeToString(nonce), created)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// NewAPIKey returns a new random API key: 20 random bytes in hex, 40 characters (the form of the
// reference's keys).
func NewAPIKey() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
