package jsonapi

import (
	"net/url"
	"strings"
)

// Param is one parameter of the raw query string. The query string is parsed here rather than by
// net/url because the short filter forms (`filter[id]>8`, `filter[name]!~foo`) are not key=value
// pairs: the operator replaces or precedes the `=`.
type Param struct {
	Key   string   // the key as sent, decoded, without a short-form operator: "filter[id]", "page[size]"
	Op    Operator // the operator of a short form or of `filter[x][op]`, "" when none was given
	Value string   // decoded value
	Raw   string   // the decoded key with its operator, for error sources ("filter[id][gt]")
}

// shortOps are the short operator forms, longest first so that ">=" wins over ">".
var shortOps = []struct {
	tok string
	op  Operator
}{
	{"!=", OpNeq}, {">=", OpGte}, {"<=", OpLte}, {"!*", OpNeqOrNull}, {"!~", OpNotContains},
	{"!^", OpNotStartsWith}, {"!$", OpNotEndsWith}, {">", OpGt}, {"<", OpLt}, {"*", OpExists},
	{"~", OpContains}, {"^", OpStartsWith}, {"$", OpEndsWith}, {"=", OpEq},
}

// ParseQuery splits a raw query string into parameters. It never fails: an undecodable part is
// kept verbatim (the parameter it names then fails its own validation). It is a pure function,
// fuzzed by FuzzParseQuery.
func ParseQuery(raw string) []Param {
	var out []Param
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		dec, err := url.QueryUnescape(part)
		if err != nil {
			dec = part
		}
		out = append(out, parsePart(dec))
	}
	return out
}

func parsePart(s string) Param {
	// A bracketed key: name[a][b]... ; the key ends after the last bracket group that follows
	// the name directly.
	end := strings.IndexAny(s, "[=!<>*~^$")
	if end <= 0 {
		return Param{Key: s, Raw: s} // no operator or value, or no name (`=0`): the part is a name
	}
	for end < len(s) && s[end] == '[' {
		close := strings.IndexByte(s[end:], ']')
		if close < 0 {
			break
		}
		end += close + 1
	}
	key, rest := s[:end], s[end:]
	p := Param{Key: key, Raw: key}
	// filter[x][op]=v: the last bracket names an operator when the key has two groups.
	if strings.HasPrefix(key, "filter[") && strings.Count(key, "[") >= 2 {
		i := strings.LastIndexByte(key, '[')
		p.Key = key[:i]
		p.Op = Operator(strings.TrimSuffix(key[i+1:], "]"))
	}
	filter := strings.HasPrefix(key, "filter[")
	for _, so := range shortOps {
		if !filter && so.op != OpEq {
			continue // only filters take operators
		}
		if strings.HasPrefix(rest, so.tok) {
			rest = rest[len(so.tok):]
			if so.op != OpEq {
				if p.Op == "" {
					p.Op = so.op
				}
				// the operator may precede the "=" (filter[name]~=foo)
				if so.tok != "!=" && so.tok != ">=" && so.tok != "<=" {
					rest = strings.TrimPrefix(rest, "=")
				}
			}
			p.Value = rest
			return p
		}
	}
	if rest == "" {
		return p // a key without a value
	}
	// Not a form of ours (`page[size]5`, `sort!=x`): the whole part is the parameter's name,
	// which no operation reads, rather than a value guessed at.
	return Param{Key: s, Raw: s}
}
