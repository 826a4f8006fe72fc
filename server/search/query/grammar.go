package query

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer. Rules are tried in order; Other takes any character no other rule takes, so that the
// lexer never fails and every stray character becomes a parse error at its own position.
// Unterminated is a string without its closing quote (it runs to the end of the input).
var queryLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Whitespace", Pattern: `[ \t\r\n\f\v]+`},
	{Name: "String", Pattern: `"(?s:\\.|[^"\\])*"`},
	{Name: "Unterminated", Pattern: `"(?s:\\.|[^"\\])*`},
	{Name: "Op", Pattern: `!~|!=|(?i:!in)|>=|<=|~|=|>|<`},
	{Name: "Punct", Pattern: `[(),]`},
	{Name: "Word", Pattern: `[A-Za-z0-9_.@+:\-]+`},
	{Name: "Other", Pattern: `(?s:.)`},
})

// The grammar. Words and values are captured as written; convert.go checks and types them. The
// type names of the grammar appear in participle's "expected" strings, which errors.go maps to
// readable text (see expectedNames), so each kind of word has a type of its own.
//
// An optional type prefix written as a separate word (`integer timesContacted`) is recognised
// only when a type name is followed by a word that is not a keyword of that place: `text like x`
// is the field `text`, and `select text from accounts` selects the field `text`.

type gQuery struct {
	Select *gSelect     `parser:"( \"select\" @@ )?"`
	From   *gFrom       `parser:"( \"from\" @@ )?"`
	Where  *gOr         `parser:"( \"where\" @@ )?"`
	Order  *gOrder      `parser:"( \"order_by\" @@ )?"`
	Offset *gOffset     `parser:"( \"offset\" @@ )?"`
	Max    *gMaxResults `parser:"( \"max_results\" @@ )?"`
}

type gCondRoot struct {
	Where *gOr `parser:"@@"`
}

type gSelect struct {
	Items []*gSelected `parser:"\"(\" @@ ( \",\" @@ )* \")\" | @@"`
}

type gSelected struct {
	Pos   lexer.Position
	Type  *gTypePrefix `parser:"( (?= (\"text\" | \"integer\" | \"decimal\" | \"float\" | \"double\" | \"datetime\") (?! \"as\" | \"from\" | \"where\" | \"order_by\" | \"offset\" | \"max_results\") Word) @@ )?"`
	Field gField       `parser:"@@"`
	Alias *gAlias      `parser:"( \"as\" @@ )?"`
}

type gFrom struct {
	Types []*gTypeName `parser:"\"(\" @@ ( \",\" @@ )* \")\" | @@"`
}

type gOr struct {
	And []*gAnd `parser:"@@ ( \"or\" @@ )*"`
}

type gAnd struct {
	Terms []*gTerm `parser:"@@ ( \"and\" @@ )*"`
}

type gTerm struct {
	Pos   lexer.Position
	Group *gOr   `parser:"\"(\" @@ \")\""`
	Cond  *gCond `parser:"| @@"`
}

type gCond struct {
	Pos      lexer.Position
	Type     *gTypePrefix `parser:"( (?= (\"text\" | \"integer\" | \"decimal\" | \"float\" | \"double\" | \"datetime\") (?! \"like\" | \"notlike\" | \"in\") Word) @@ )?"`
	Field    gCondField   `parser:"@@"`
	Operator gOperator    `parser:"@@"`
	List     *gList       `parser:"( @@"`
	Value    *gValue      `parser:"| @@ )"`
}

type gOperator struct {
	Pos   lexer.Position
	Value string `parser:"@Op | @( \"like\" | \"notlike\" | \"in\" )"`
}

type gList struct {
	Pos    lexer.Position
	Values []*gValue `parser:"\"(\" @@ ( \",\" @@ )* \")\""`
}

type gValue struct {
	Pos    lexer.Position
	String *string `parser:"@String"`
	Word   *string `parser:"| @Word"`
}

type gOrder struct {
	Type  *gTypePrefix `parser:"( (?= (\"text\" | \"integer\" | \"decimal\" | \"float\" | \"double\" | \"datetime\") (?! \"asc\" | \"desc\" | \"offset\" | \"max_results\") Word) @@ )?"`
	Field gField       `parser:"@@"`
	Dir   *string      `parser:"( @( \"asc\" | \"desc\" ) )?"`
}

type gOffset struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

type gMaxResults struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

type gTypePrefix struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

type gField struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

// gCondField is the field of a condition: where one is expected, a condition is.
type gCondField struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

type gAlias struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

type gTypeName struct {
	Pos   lexer.Position
	Value string `parser:"@Word"`
}

var options = []participle.Option{
	participle.Lexer(queryLexer),
	participle.Elide("Whitespace"),
	participle.CaseInsensitive("Word", "Op"),
	participle.UseLookahead(0),
}

var (
	queryParser     = participle.MustBuild[gQuery](options...)
	conditionParser = participle.MustBuild[gCondRoot](options...)
)
