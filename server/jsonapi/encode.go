package jsonapi

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// The encoder writes documents by hand into a byte slice: it knows every value's kind from the
// declaration, so it needs neither reflection nor intermediate maps (the list endpoints spend
// most of their time here).

// view says how records are rendered for one request.
type view struct {
	base   string // scheme://host, for absolute links
	links  bool   // HATEOAS links (off with X-Include: noHateoas)
	plain  bool   // flat JSON instead of JSON:API
	title  bool   // meta=title
	fields map[*Resource]*fieldSet
}

// fieldSet is a sparse fieldset: which attributes and relationships of a type to render.
type fieldSet struct {
	attrs []bool
	rels  []bool
}

func (v *view) set(r *Resource) *fieldSet { return v.fields[r] }

// appendResource renders one record as a JSON:API resource object or a plain object.
func (v *view) appendResource(b []byte, r *Resource, rec *Record, meta []byte) []byte {
	fs := v.set(r)
	if v.plain {
		return v.appendPlain(b, r, rec, fs)
	}
	b = append(b, `{"type":`...)
	b = appendString(b, r.Type)
	b = append(b, `,"id":`...)
	b = appendString(b, rec.ID)
	// the self link is escaped once, into b, and its bytes copied into every relationship's two
	// links (a string built for it and escaped nine times for an account cost more than the
	// rest of its links); the pieces escape as the whole link would, each after an ASCII byte
	var self []byte
	if v.links && r.Methods.Get { // a resource with no URL of its own (an error of an operation) has no self link
		b = append(b, `,"links":{"self":"`...)
		start := len(b)
		b = appendEscaped(b, v.base)
		b = append(b, "/api/"...)
		b = appendEscaped(b, r.Type)
		b = append(b, '/')
		b = appendEscaped(b, pathEscape(rec.ID))
		self = b[start:len(b):len(b)] // bytes b never writes again, wherever it grows
		b = append(b, `"}`...)
	}
	if v.title || meta != nil {
		b = append(b, `,"meta":{`...)
		n := len(b)
		if v.title {
			b = append(b, `"title":`...)
			b = appendString(b, title(r, rec))
		}
		if meta != nil {
			if len(b) > n {
				b = append(b, ',')
			}
			b = append(b, meta...)
		}
		b = append(b, '}')
	}
	first := true
	for i := range r.Attrs {
		a := &r.Attrs[i]
		if a.WriteOnly || (fs != nil && !fs.attrs[i]) {
			continue
		}
		if first {
			b = append(b, `,"attributes":{`...)
			first = false
		} else {
			b = append(b, ',')
		}
		b = appendString(b, a.Name)
		b = append(b, ':')
		b = appendValue(b, a.Kind, rec.Values[i])
	}
	if !first {
		b = append(b, '}')
	}
	first = true
	for i := range r.Rels {
		if (fs != nil && !fs.rels[i]) || r.Rels[i].Hidden {
			continue
		}
		rel := &r.Rels[i]
		if first {
			b = append(b, `,"relationships":{`...)
			first = false
		} else {
			b = append(b, ',')
		}
		b = appendString(b, rel.Name)
		b = append(b, `:{"data":`...)
		b = appendLinkage(b, rel, r.targets[i], rec.Links[i])
		if v.links {
			b = append(b, `,"links":{"self":"`...)
			b = append(b, self...)
			b = append(b, "/relationships/"...)
			b = appendEscaped(b, rel.Name)
			b = append(b, `","related":"`...)
			b = append(b, self...)
			b = append(b, '/')
			b = appendEscaped(b, rel.Name)
			b = append(b, `"}`...)
		}
		b = append(b, '}')
	}
	if !first {
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendLinkage(b []byte, rel *Rel, target *Resource, ids []string) []byte {
	if !rel.ToMany {
		if len(ids) == 0 {
			return append(b, "null"...)
		}
		return appendIdentifier(b, target.Type, ids[0])
	}
	b = append(b, '[')
	for j, id := range ids {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendIdentifier(b, target.Type, id)
	}
	return append(b, ']')
}

func appendIdentifier(b []byte, typ, id string) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"id":`...)
	b = appendString(b, id)
	return append(b, '}')
}

// appendPlain renders the flat JSON of plain requests: id, attributes and relationship ids as
// top-level keys; integer ids as numbers.
func (v *view) appendPlain(b []byte, r *Resource, rec *Record, fs *fieldSet) []byte {
	b = append(b, `{"id":`...)
	b = appendID(b, r, rec.ID)
	for i := range r.Attrs {
		a := &r.Attrs[i]
		if a.WriteOnly || (fs != nil && !fs.attrs[i]) {
			continue
		}
		b = append(b, ',')
		b = appendString(b, a.Name)
		b = append(b, ':')
		b = appendValue(b, a.Kind, rec.Values[i])
	}
	for i := range r.Rels {
		if (fs != nil && !fs.rels[i]) || r.Rels[i].Hidden {
			continue
		}
		t := r.targets[i]
		b = append(b, ',')
		b = appendString(b, r.Rels[i].Name)
		b = append(b, ':')
		ids := rec.Links[i]
		if !r.Rels[i].ToMany {
			if len(ids) == 0 {
				b = append(b, "null"...)
			} else {
				b = appendID(b, t, ids[0])
			}
			continue
		}
		b = append(b, '[')
		for j, id := range ids {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendID(b, t, id)
		}
		b = append(b, ']')
	}
	if v.title {
		// under "meta", as in JSON:API: a flat "title" would collide with an attribute of that
		// name (users have one)
		b = append(b, `,"meta":{"title":`...)
		b = appendString(b, title(r, rec))
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendID(b []byte, r *Resource, id string) []byte {
	if r.IntID {
		return append(b, id...)
	}
	return appendString(b, id)
}

func title(r *Resource, rec *Record) string {
	if r.Title == nil {
		return rec.ID
	}
	return r.Title(r, rec)
}

// appendValue renders one attribute value by kind.
func appendValue(b []byte, k Kind, v any) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	switch k {
	case String, Decimal:
		return appendString(b, v.(string))
	case Int:
		return strconv.AppendInt(b, v.(int64), 10)
	case Float:
		f := v.(float64)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	case Bool:
		return strconv.AppendBool(b, v.(bool))
	case Date:
		b = append(b, '"')
		b = appendDate(b, v.(time.Time))
		return append(b, '"')
	case DateTime:
		t := v.(time.Time).UTC()
		b = append(b, '"')
		b = appendDate(b, t)
		h, m, s := t.Clock()
		b = append(b, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10), 'Z')
		return append(b, '"')
	case JSON:
		raw := v.(json.RawMessage)
		if len(raw) == 0 {
			return append(b, "null"...)
		}
		return append(b, raw...)
	}
	panic("jsonapi: unknown kind " + k.String())
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends the contents of the JSON string s, without the quotes.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// plain8 reports whether the 8 bytes of s are all printable ASCII other than '"' and '\\':
// bytes appendEscaped copies as they are. Strings are nearly all such bytes, so it looks at 8
// at a time (byte by byte, it was the engine's largest own item in a profile of a loaded server
// answering one account): a byte is flagged by its high bit (non-ASCII), by a borrow when 0x20
// is subtracted (a control character), or by a borrow when 1 is subtracted from it XOR '"' or
// '\\' (equal to either). A borrow only runs on from a byte that is flagged itself, so no byte
// is flagged wrongly alone.
func plain8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	return (x|(x-ones*0x20)|((x^(ones*'"'))-ones)|((x^(ones*'\\'))-ones))&highs == 0
}

// appendDate appends t's date as 2006-01-02. It writes the digits itself: time.AppendFormat
// reads its layout on every call, which was a twentieth of what ours spent on a page of ten
// records with two timestamps each. A year outside 0–9999 is written as AppendFormat writes it.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, "2006-01-02")
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// etag is the strong entity tag of a record: a hash (64-bit FNV-1a, written in base 36) of
// everything the record holds (updatedAt included), so it changes on every update and on every
// derived change. The bytes hashed are built in a buffer on the stack and hashed in place, and
// the tag is written in one allocation (hash/fnv's hasher and a concatenation made two).
func etag(r *Resource, rec *Record) string {
	var stack [512]byte
	h := uint64(fnvOffset64)
	for _, c := range etagInput(stack[:0], r, rec) {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	var tag [16]byte // a quote, at most 13 base-36 digits, a quote
	return string(append(strconv.AppendUint(append(tag[:0], '"'), h, 36), '"'))
}

// etagInput appends what the entity tag of rec hashes: its type, id, values and linkage.
func etagInput(b []byte, r *Resource, rec *Record) []byte {
	b = appendString(b, r.Type)
	b = appendString(b, rec.ID)
	for i := range r.Attrs {
		if t, ok := rec.Values[i].(time.Time); ok && r.Attrs[i].Kind == DateTime {
			// the stored precision, not the rendered seconds: two updates within a second differ
			b = strconv.AppendInt(b, t.UnixNano(), 10)
			continue
		}
		b = appendValue(b, r.Attrs[i].Kind, rec.Values[i])
	}
	for i := range r.Rels {
		b = appendLinkage(b, &r.Rels[i], r.targets[i], rec.Links[i])
	}
	return b
}

// The parameters of 64-bit FNV-1a, as in hash/fnv (TestETagIsFNV1a).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

func pathEscape(s string) string { return url.PathEscape(s) }
