package query

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

var (
	stringToken       = queryLexer.Symbols()["String"]
	unterminatedToken = queryLexer.Symbols()["Unterminated"]
	wordToken         = queryLexer.Symbols()["Word"]
	opToken           = queryLexer.Symbols()["Op"]
)

// charPos is the 1-based character position of the byte offset off of s (valid UTF-8).
func charPos(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	return utf8.RuneCountInString(s[:off]) + 1
}

// checkInput refuses what the lexer should never see: a query longer than MaxLength bytes, NUL
// and invalid UTF-8.
func checkInput(s string) error {
	if len(s) > MaxLength {
		return &Error{Pos: MaxLength + 1, Expected: "a query of at most " + strconv.Itoa(MaxLength) + " characters", Found: "a longer query"}
	}
	pos := 0
	for i, r := range s {
		pos++
		if r == 0 {
			return &Error{Pos: pos, Expected: "valid text", Found: "a NUL character"}
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return &Error{Pos: pos, Expected: "valid text", Found: "invalid UTF-8"}
			}
		}
	}
	return nil
}

// quoteFound is how an error shows a word or value that was found: quoted, and shortened when
// long.
func quoteFound(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

// foundToken is how an error shows a token: a quoted string as written, anything else quoted.
func foundToken(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of input"
	case t.Type == stringToken:
		const max = 40
		if utf8.RuneCountInString(t.Value) > max {
			return string([]rune(t.Value)[:max]) + `…"`
		}
		return t.Value
	}
	return quoteFound(t.Value)
}

// expectedNames are the readable forms of the grammar's types in participle's expected strings.
var expectedNames = map[string]string{
	"GSelected":    "a field",
	"GTypePrefix":  "a field",
	"GField":       "a field",
	"GCondField":   "a condition",
	"GCond":        "a condition",
	"GTerm":        "a condition",
	"GAnd":         "a condition",
	"GOr":          "a condition",
	"GOperator":    "an operator (~, !~, like, notlike, =, !=, >, <, >=, <=, in, !in)",
	"GList":        "a value",
	"GValue":       "a value",
	"GAlias":       "an alias",
	"GTypeName":    "a type name",
	"GOffset":      "a whole number",
	"GMaxResults":  "a whole number",
	"GSelect":      "a field",
	"GFrom":        "a type name",
	"GOrder":       "a field",
	"GQuery":       "a query",
	"GCondRoot":    "a condition",
	"<eof>":        "end of input",
	"<word>":       "a word",
	"<string>":     "a quoted string",
	"<op>":         "an operator",
	"<punct>":      `"(", ")" or ","`,
	"<whitespace>": "white space",
}

// convertError turns participle's error into an *Error. trailing says what may follow a complete
// parse, for the error about a token after it.
func convertError(s string, err error, trailing func() string) error {
	var ue *participle.UnexpectedTokenError
	if errors.As(err, &ue) {
		tok := ue.Unexpected
		if tok.Type == unterminatedToken {
			return &Error{Pos: charPos(s, len(s)), Expected: `a closing quote (")`, Found: "end of input"}
		}
		pos := charPos(s, tok.Pos.Offset)
		if tok.EOF() {
			pos = charPos(s, len(s))
		}
		msg := ue.Message()
		i := strings.Index(msg, " (expected ")
		if i < 0 {
			return &Error{Pos: pos, Expected: trailing(), Found: foundToken(tok)}
		}
		expect := strings.TrimSuffix(msg[i+len(" (expected "):], ")")
		return &Error{Pos: pos, Expected: readableExpected(s, tok, expect), Found: foundToken(tok)}
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		return &Error{Pos: charPos(s, pe.Position().Offset), Expected: "a valid query", Found: quoteFound(pe.Message())}
	}
	return &Error{Pos: 1, Expected: "a valid query", Found: quoteFound(err.Error())}
}

// readableExpected maps the first item of participle's expected string (EBNF of the grammar) to
// text; a closing parenthesis is completed from the context (what the parenthesis closes).
func readableExpected(s string, tok lexer.Token, expect string) string {
	first := strings.TrimLeft(expect, "( ")
	if strings.HasPrefix(first, `"`) {
		end := strings.Index(first[1:], `"`)
		if end < 0 {
			return first
		}
		lit := first[:end+2]
		if lit == `")"` {
			return closingExpected(s, tok.Pos.Offset)
		}
		return lit
	}
	end := strings.IndexAny(first, " |)?*+")
	if end >= 0 {
		first = first[:end]
	}
	if name, ok := expectedNames[first]; ok {
		return name
	}
	return first
}

// closingExpected says what may come where a ")" is expected at byte offset off: it looks at
// the parenthesis still open there (a list after select, from or an operator, or a group of
// conditions).
func closingExpected(s string, off int) string {
	toks, err := queryParser.Lex("", strings.NewReader(s[:off]))
	if err != nil {
		return `")"`
	}
	var kinds []string // of the open parentheses
	var prev []lexer.Token
	for _, t := range toks {
		if t.EOF() || (t.Type != wordToken && t.Type != opToken && t.Type != stringToken && t.Value != "(" && t.Value != ")" && t.Value != ",") {
			continue
		}
		switch t.Value {
		case "(":
			kind := "group"
			if len(prev) > 0 {
				p := prev[len(prev)-1]
				switch strings.ToLower(p.Value) {
				case "select":
					kind = "select"
				case "from":
					kind = "list"
				case "in", "!in", "=", "!=", ">", "<", ">=", "<=", "~", "!~", "like", "notlike":
					kind = "list"
				}
			}
			kinds = append(kinds, kind)
		case ")":
			if len(kinds) > 0 {
				kinds = kinds[:len(kinds)-1]
			}
		}
		prev = append(prev, t)
	}
	if len(kinds) == 0 {
		return `")"`
	}
	switch kinds[len(kinds)-1] {
	case "group":
		return `"and", "or" or ")"`
	case "select":
		if len(prev) >= 2 && strings.EqualFold(prev[len(prev)-2].Value, "as") {
			return `"," or ")"`
		}
		return `"as", "," or ")"`
	}
	return `"," or ")"`
}

// trailingQuery says what may follow the clauses of g, the query parsed so far.
func trailingQuery(g *gQuery) string {
	switch {
	case g == nil:
		return "a query"
	case g.Max != nil:
		return "end of input"
	case g.Offset != nil:
		return `"max_results" or end of input`
	case g.Order != nil && g.Order.Dir == nil:
		return `"asc", "desc", "offset", "max_results" or end of input`
	case g.Order != nil:
		return `"offset", "max_results" or end of input`
	case g.Where != nil:
		return `"and", "or", "order_by", "offset", "max_results" or end of input`
	case g.From != nil:
		return `"where", "order_by", "offset", "max_results" or end of input`
	case g.Select != nil:
		return `"from", "where", "order_by", "offset", "max_results" or end of input`
	}
	return `"select", "from", "where", "order_by", "offset", "max_results" or end of input`
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
