package query

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// helpers that build the expected ASTs

func intp(n int) *int { return &n }

func leaf(t FieldType, field, op string, pos int, values ...Value) *Expr {
	return &Expr{Cond: &Condition{Type: t, Field: field, Operator: op, Values: values, Pos: pos}}
}

func and(children ...*Expr) *Expr { return &Expr{Op: "and", Children: children} }
func or(children ...*Expr) *Expr  { return &Expr{Op: "or", Children: children} }

func txt(s string, pos int) Value    { return Value{Text: s, Pos: pos} }
func num(n int64, pos int) Value     { return Value{Int: n, Pos: pos} }
func dec(s string, pos int) Value    { return Value{Dec: s, Pos: pos} }
func tim(t time.Time, pos int) Value { return Value{Time: t, Pos: pos} }

func date(y int, m time.Month, d, h, min, s, ns int) time.Time {
	return time.Date(y, m, d, h, min, s, ns, time.UTC)
}

const specExample = `from (accounts, contacts) where (all_text ~ cloth and integer timesContacted > 1) or name like "world" order_by name desc offset 5 max_results 10`

var parseTests = []struct {
	name, in string
	want     *Query
}{
	{"empty", ``, &Query{}},
	{"white space only", " \t\n ", &Query{}},
	{"spec example", specExample, &Query{
		From: []string{"accounts", "contacts"},
		Where: or(
			and(
				leaf(Text, "all_text", "~", 34, txt("cloth", 45)),
				leaf(Integer, "timesContacted", ">", 55, num(1, 80)),
			),
			leaf(Text, "name", "like", 86, txt("world", 96)),
		),
		OrderBy:    &Order{Type: Text, Field: "name", Desc: true},
		Offset:     intp(5),
		MaxResults: intp(10),
	}},
	{"select one field", `select text.name`, &Query{Select: []Selected{{Type: Text, Field: "name"}}}},
	{"select without prefix", `select name`, &Query{Select: []Selected{{Type: Text, Field: "name"}}}},
	{"select a list with aliases", `select (text.firstName as first, integer.timesContacted, decimal amount as a, datetime createdAt)`, &Query{Select: []Selected{
		{Type: Text, Field: "firstName", Alias: "first"}, {Type: Integer, Field: "timesContacted"},
		{Type: Decimal, Field: "amount", Alias: "a"}, {Type: DateTime, Field: "createdAt"},
	}}},
	{"select alias without list", `select integer.x as y from accounts`, &Query{Select: []Selected{{Type: Integer, Field: "x", Alias: "y"}}, From: []string{"accounts"}}},
	{"select a field called text", `select text from accounts`, &Query{Select: []Selected{{Type: Text, Field: "text"}}, From: []string{"accounts"}}},
	{"float and double are decimal", `select (float.a, DOUBLE.b, Decimal c)`, &Query{Select: []Selected{{Type: Decimal, Field: "a"}, {Type: Decimal, Field: "b"}, {Type: Decimal, Field: "c"}}}},
	{"from one type", `from accounts`, &Query{From: []string{"accounts"}}},
	{"from keeps case", `from (Accounts,contacts)`, &Query{From: []string{"Accounts", "contacts"}}},
	{"where only", `where name ~ cloth`, &Query{Where: leaf(Text, "name", "~", 7, txt("cloth", 14))}},
	{"order_by asc", `order_by integer.id asc`, &Query{OrderBy: &Order{Type: Integer, Field: "id"}}},
	{"order_by with a type word", `order_by datetime updatedAt DESC`, &Query{OrderBy: &Order{Type: DateTime, Field: "updatedAt", Desc: true}}},
	{"order_by without direction", `order_by name offset 0`, &Query{OrderBy: &Order{Type: Text, Field: "name"}, Offset: intp(0)}},
	{"offset and max_results bounds", `offset 1000000 max_results 1000`, &Query{Offset: intp(1000000), MaxResults: intp(1000)}},
	{"max_results 1", `max_results 1`, &Query{MaxResults: intp(1)}},
	{"every clause", `select (name as n) from (accounts) where integer.id in (1, 2, 3) order_by integer.id desc offset 10 max_results 20`, &Query{
		Select:     []Selected{{Type: Text, Field: "name", Alias: "n"}},
		From:       []string{"accounts"},
		Where:      leaf(Integer, "id", "in", 42, num(1, 57), num(2, 60), num(3, 63)),
		OrderBy:    &Order{Type: Integer, Field: "id", Desc: true},
		Offset:     intp(10),
		MaxResults: intp(20),
	}},
	{"keywords in any case", `SELECT Text.Name AS N FROM Accounts WHERE Name LIKE x AND INTEGER.n IN (1) OR n NOTLIKE y ORDER_BY name ASC OFFSET 1 MAX_RESULTS 2`, &Query{
		Select: []Selected{{Type: Text, Field: "Name", Alias: "N"}},
		From:   []string{"Accounts"},
		Where: or(
			and(leaf(Text, "Name", "like", 43, txt("x", 53)), leaf(Integer, "n", "in", 59, num(1, 73))),
			leaf(Text, "n", "notlike", 79, txt("y", 89)),
		),
		OrderBy: &Order{Type: Text, Field: "name"}, Offset: intp(1), MaxResults: intp(2),
	}},
	{"unicode positions count characters", `where name ~ "ÄÖÜ" and city ~ x`, &Query{Where: and(
		leaf(Text, "name", "~", 7, txt("ÄÖÜ", 14)), leaf(Text, "city", "~", 24, txt("x", 31)),
	)}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q)\n got %s\nwant %s", tt.in, dump(got), dump(tt.want))
			}
		})
	}
}

// condTests are where-conditions, checked with ParseCondition and, after "where ", with Parse
// (positions shifted by 6).
var condTests = []struct {
	name, in string
	want     *Expr
}{
	{"and binds tighter than or", `a ~ x or b ~ y and c ~ z`, or(
		leaf(Text, "a", "~", 1, txt("x", 5)),
		and(leaf(Text, "b", "~", 10, txt("y", 14)), leaf(Text, "c", "~", 20, txt("z", 24))),
	)},
	{"and before or", `a ~ x and b ~ y or c ~ z`, or(
		and(leaf(Text, "a", "~", 1, txt("x", 5)), leaf(Text, "b", "~", 11, txt("y", 15))),
		leaf(Text, "c", "~", 20, txt("z", 24)),
	)},
	{"parentheses group", `a ~ x and (b ~ y or c ~ z)`, and(
		leaf(Text, "a", "~", 1, txt("x", 5)),
		or(leaf(Text, "b", "~", 12, txt("y", 16)), leaf(Text, "c", "~", 21, txt("z", 25))),
	)},
	{"flattened and", `a ~ x and b ~ y and c ~ z`, and(
		leaf(Text, "a", "~", 1, txt("x", 5)), leaf(Text, "b", "~", 11, txt("y", 15)), leaf(Text, "c", "~", 21, txt("z", 25)),
	)},
	{"flattened through parentheses", `(a ~ x or b ~ y) or ((c ~ z))`, or(
		leaf(Text, "a", "~", 2, txt("x", 6)), leaf(Text, "b", "~", 11, txt("y", 15)), leaf(Text, "c", "~", 23, txt("z", 27)),
	)},
	{"one condition in parentheses", `((name = x))`, leaf(Text, "name", "=", 3, txt("x", 10))},
	{"quoted string with escapes", `name = "say \"hi\" \\ back"`, leaf(Text, "name", "=", 1, txt(`say "hi" \ back`, 8))},
	{"quoted string with spaces and keywords", `name ~ "and or where ("`, leaf(Text, "name", "~", 1, txt("and or where (", 8))},
	{"empty string", `name = ""`, leaf(Text, "name", "=", 1, txt("", 8))},
	{"bare word characters", `email = a.b_c+d-e@x.com`, leaf(Text, "email", "=", 1, txt("a.b_c+d-e@x.com", 9))},
	{"text ~", `text.name ~ cloth`, leaf(Text, "name", "~", 1, txt("cloth", 13))},
	{"text !~", `name !~ cloth`, leaf(Text, "name", "!~", 1, txt("cloth", 9))},
	{"text like", `name like cloth`, leaf(Text, "name", "like", 1, txt("cloth", 11))},
	{"text notlike", `name notlike cloth`, leaf(Text, "name", "notlike", 1, txt("cloth", 14))},
	{"text =", `text name = cloth`, leaf(Text, "name", "=", 1, txt("cloth", 13))},
	{"text !=", `name != cloth`, leaf(Text, "name", "!=", 1, txt("cloth", 9))},
	{"a field called text", `text like x`, leaf(Text, "text", "like", 1, txt("x", 11))},
	{"a field called integer", `integer ~ x`, leaf(Text, "integer", "~", 1, txt("x", 11))},
	{"integer =", `integer n = 5`, leaf(Integer, "n", "=", 1, num(5, 13))},
	{"integer !=", `integer.n != -5`, leaf(Integer, "n", "!=", 1, num(-5, 14))},
	{"integer >", `integer n > 9223372036854775807`, leaf(Integer, "n", ">", 1, num(9223372036854775807, 13))},
	{"integer <", `integer n < -9223372036854775808`, leaf(Integer, "n", "<", 1, num(-9223372036854775808, 13))},
	{"integer >=", `integer n >= "7"`, leaf(Integer, "n", ">=", 1, num(7, 14))},
	{"integer <=", `integer n <= 007`, leaf(Integer, "n", "<=", 1, num(7, 14))},
	{"integer in", `integer n in (1,2 , 3)`, leaf(Integer, "n", "in", 1, num(1, 15), num(2, 17), num(3, 21))},
	{"integer !in", `integer n !IN (4)`, leaf(Integer, "n", "!in", 1, num(4, 16))},
	{"decimal =", `decimal amount = 12.50`, leaf(Decimal, "amount", "=", 1, dec("12.50", 18))},
	{"decimal bounds", `decimal a in (123456789012345.1234, -1, 0.0001)`, leaf(Decimal, "a", "in", 1, dec("123456789012345.1234", 15), dec("-1", 37), dec("0.0001", 41))},
	{"float >", `float.a > 1.5`, leaf(Decimal, "a", ">", 1, dec("1.5", 11))},
	{"double !in", `double a !in (1, 2.25)`, leaf(Decimal, "a", "!in", 1, dec("1", 15), dec("2.25", 18))},
	{"decimal != < <= >=", `decimal a != 1 and decimal a < 2 and decimal a <= 3 and decimal a >= 4`, and(
		leaf(Decimal, "a", "!=", 1, dec("1", 14)), leaf(Decimal, "a", "<", 20, dec("2", 32)),
		leaf(Decimal, "a", "<=", 38, dec("3", 51)), leaf(Decimal, "a", ">=", 57, dec("4", 70)),
	)},
	{"datetime with time", `datetime createdAt > "2013-01-01 00:00:00"`, leaf(DateTime, "createdAt", ">", 1, tim(date(2013, 1, 1, 0, 0, 0, 0), 22))},
	{"datetime date only", `datetime d = "2013-01-02"`, leaf(DateTime, "d", "=", 1, tim(date(2013, 1, 2, 0, 0, 0, 0), 14))},
	{"datetime RFC 3339 to UTC", `datetime d < "2013-01-02T03:04:05.5+02:00"`, leaf(DateTime, "d", "<", 1, tim(date(2013, 1, 2, 1, 4, 5, 500000000), 14))},
	{"datetime bare date", `datetime.d >= 2013-01-02`, leaf(DateTime, "d", ">=", 1, tim(date(2013, 1, 2, 0, 0, 0, 0), 15))},
	{"datetime bounds", `datetime d in ("0001-01-01", "9999-12-31 23:59:59")`, leaf(DateTime, "d", "in", 1, tim(date(1, 1, 1, 0, 0, 0, 0), 16), tim(date(9999, 12, 31, 23, 59, 59, 0), 30))},
	{"datetime != <=", `datetime d != "2013-01-01" or datetime d <= "2014-01-01"`, or(
		leaf(DateTime, "d", "!=", 1, tim(date(2013, 1, 1, 0, 0, 0, 0), 15)),
		leaf(DateTime, "d", "<=", 31, tim(date(2014, 1, 1, 0, 0, 0, 0), 45)),
	)},
	{"datetime !in", `datetime d !in ("2013-01-01")`, leaf(DateTime, "d", "!in", 1, tim(date(2013, 1, 1, 0, 0, 0, 0), 17))},
	{"keywords as values", `name ~ and or name ~ where`, or(leaf(Text, "name", "~", 1, txt("and", 8)), leaf(Text, "name", "~", 15, txt("where", 22)))},
	{"no spaces", `(a~x)and(integer.b>=2)`, and(leaf(Text, "a", "~", 2, txt("x", 4)), leaf(Integer, "b", ">=", 10, num(2, 21)))},
}

func TestParseCondition(t *testing.T) {
	for _, tt := range condTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCondition(tt.in)
			if err != nil {
				t.Fatalf("ParseCondition(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseCondition(%q)\n got %s\nwant %s", tt.in, dump(got), dump(tt.want))
			}
			q, err := Parse("where " + tt.in)
			if err != nil {
				t.Fatalf("Parse(where %q): %v", tt.in, err)
			}
			shift(tt.want, 6)
			defer shift(tt.want, -6)
			if !reflect.DeepEqual(q.Where, tt.want) {
				t.Fatalf("Parse(where %q)\n got %s\nwant %s", tt.in, dump(q.Where), dump(tt.want))
			}
		})
	}
}

// shift moves every position of e by n.
func shift(e *Expr, n int) {
	if e.Cond != nil {
		e.Cond.Pos += n
		for i := range e.Cond.Values {
			e.Cond.Values[i].Pos += n
		}
	}
	for _, c := range e.Children {
		shift(c, n)
	}
}

func dump(v any) string {
	switch v := v.(type) {
	case *Query:
		if v == nil {
			return "<nil>"
		}
		return v.String() + " " + dumpExpr(v.Where)
	case *Expr:
		return dumpExpr(v)
	}
	return ""
}

func dumpExpr(e *Expr) string {
	if e == nil {
		return "<nil>"
	}
	if e.Cond != nil {
		s := e.Cond.String() + "@" + strconv.Itoa(e.Cond.Pos) + "["
		for _, v := range e.Cond.Values {
			s += strconv.Itoa(v.Pos) + " "
		}
		return s + "]"
	}
	parts := make([]string, len(e.Children))
	for i, c := range e.Children {
		parts[i] = dumpExpr(c)
	}
	return e.Op + "(" + strings.Join(parts, ", ") + ")"
}

const intOps = "an operator for an integer field (=, !=, >, <, >=, <=, in, !in)"

var errorTests = []struct {
	name, in string
	cond     bool // ParseCondition instead of Parse
	pos      int
	expected string
	found    string
}{
	{"unknown clause", `foo`, false, 1, `"select", "from", "where", "order_by", "offset", "max_results" or end of input`, `"foo"`},
	{"clauses out of order", `from accounts select name`, false, 15, `"where", "order_by", "offset", "max_results" or end of input`, `"select"`},
	{"clause twice", `where a ~ b where c ~ d`, false, 13, `"and", "or", "order_by", "offset", "max_results" or end of input`, `"where"`},
	{"empty where", `where`, false, 6, "a condition", "end of input"},
	{"missing operator", `where name`, false, 11, "an operator (~, !~, like, notlike, =, !=, >, <, >=, <=, in, !in)", "end of input"},
	{"missing value", `where name ~ `, false, 14, "a value", "end of input"},
	{"two words as value", `where name ~ cloth world`, false, 20, `"and", "or", "order_by", "offset", "max_results" or end of input`, `"world"`},
	{"dangling and", `where a ~ x and`, false, 16, "a condition", "end of input"},
	{"unclosed group", `where (a ~ x`, false, 13, `"and", "or" or ")"`, "end of input"},
	{"extra closing parenthesis", `where a ~ x)`, false, 12, `"and", "or", "order_by", "offset", "max_results" or end of input`, `")"`},
	{"empty group", `where ()`, false, 8, "a condition", `")"`},
	{"stray character", `where a ; x`, false, 9, "an operator (~, !~, like, notlike, =, !=, >, <, >=, <=, in, !in)", `";"`},
	{"lone !", `where integer a ! 1`, false, 17, "an operator (~, !~, like, notlike, =, !=, >, <, >=, <=, in, !in)", `"!"`},
	{"unterminated string", `where a ~ "cloth`, false, 17, `a closing quote (")`, "end of input"},
	{"unknown escape", `where a ~ "a\tb"`, false, 13, `\" or \\ (the only escapes)`, `"\\t"`},
	{"empty in list", `where integer a in ()`, false, 21, "a value", `")"`},
	{"in list without comma", `where integer a in (1 2)`, false, 23, `"," or ")"`, `"2"`},
	{"unclosed in list", `where integer a in (1,`, false, 23, "a value", "end of input"},
	{"in without list", `where integer a in 1`, false, 20, "a list of values in parentheses, such as (1, 2)", `"1"`},
	{"list without in", `where integer a = (1, 2)`, false, 19, "one value (a list is for in and !in)", `"("`},
	{"text with integer operator", `where name > 5`, false, 12, "an operator for a text field (~, !~, like, notlike, =, !=)", `">"`},
	{"text with in", `where text name in (a)`, false, 17, "an operator for a text field (~, !~, like, notlike, =, !=)", `"in"`},
	{"integer with ~", `where integer n ~ 5`, false, 17, intOps, `"~"`},
	{"integer with like", `where integer.n LIKE 5`, false, 17, intOps, `"LIKE"`},
	{"decimal with !~", `where decimal n !~ 5`, false, 17, "an operator for a decimal field (=, !=, >, <, >=, <=, in, !in)", `"!~"`},
	{"datetime with notlike", `where datetime d notlike x`, false, 18, "an operator for a datetime field (=, !=, >, <, >=, <=, in, !in)", `"notlike"`},
	{"not an integer", `where integer n > abc`, false, 19, "an integer", `"abc"`},
	{"integer with a point", `where integer n = 1.5`, false, 19, "an integer", `"1.5"`},
	{"integer overflow", `where integer n = 9223372036854775808`, false, 19, "an integer", `"9223372036854775808"`},
	{"integer in list", `where integer n in (1, x)`, false, 24, "an integer", `"x"`},
	{"decimal too many digits before the point", `where decimal n = 1234567890123456`, false, 19, "a decimal number (at most 15 digits before the point and 4 after)", `"1234567890123456"`},
	{"decimal too many digits after the point", `where decimal n = 1.12345`, false, 19, "a decimal number (at most 15 digits before the point and 4 after)", `"1.12345"`},
	{"decimal with exponent", `where float n = 1e5`, false, 17, "a decimal number (at most 15 digits before the point and 4 after)", `"1e5"`},
	{"not a datetime", `where datetime d > "yesterday"`, false, 20, `a date and time such as "2013-01-01 00:00:00" (years 0001 to 9999)`, `"yesterday"`},
	{"datetime year 0", `where datetime d > "0000-12-31"`, false, 20, `a date and time such as "2013-01-01 00:00:00" (years 0001 to 9999)`, `"0000-12-31"`},
	{"datetime before year 1 in UTC", `where datetime d > "0001-01-01T00:00:00+01:00"`, false, 20, `a date and time such as "2013-01-01 00:00:00" (years 0001 to 9999)`, `"0001-01-01T00:00:00+01:00"`},
	{"datetime invalid day", `where datetime d > "2013-02-30"`, false, 20, `a date and time such as "2013-01-01 00:00:00" (years 0001 to 9999)`, `"2013-02-30"`},
	{"bad field name", `where 1abc ~ x`, false, 7, "a field name (letters, digits and _)", `"1abc"`},
	{"unknown type prefix", `where foo.bar ~ x`, false, 7, "a field name, or a type (text, integer, decimal, datetime) and a field name", `"foo.bar"`},
	{"two type prefixes", `where integer text.a > 1`, false, 15, "a field name (letters, digits and _)", `"text.a"`},
	{"select list unclosed", `select (a,`, false, 11, "a field", "end of input"},
	{"select alias missing", `select (a as)`, false, 13, "an alias", `")"`},
	{"select two words", `select (a b)`, false, 11, `"as", "," or ")"`, `"b"`},
	{"select bad alias", `select a as b-c`, false, 13, "an alias (letters, digits and _)", `"b-c"`},
	{"select bad field", `select text.a.b`, false, 8, "a field name (letters, digits and _)", `"text.a.b"`},
	{"from list without comma", `from (a b)`, false, 9, `"," or ")"`, `"b"`},
	{"from bad type name", `from (a, b.c)`, false, 10, "a type name (letters, digits and _)", `"b.c"`},
	{"order_by without field", `order_by`, false, 9, "a field", "end of input"},
	{"order_by bad direction", `order_by name up`, false, 15, `"asc", "desc", "offset", "max_results" or end of input`, `"up"`},
	{"offset missing", `offset`, false, 7, "a whole number", "end of input"},
	{"offset negative", `offset -1`, false, 8, "a whole number from 0 to 1000000", `"-1"`},
	{"offset too large", `offset 1000001`, false, 8, "a whole number from 0 to 1000000", `"1000001"`},
	{"offset huge", `offset 99999999999999999999999`, false, 8, "a whole number from 0 to 1000000", `"99999999999999999999999"`},
	{"max_results 0", `max_results 0`, false, 13, "a whole number from 1 to 1000", `"0"`},
	{"max_results too large", `offset 1 max_results 1001`, false, 22, "a whole number from 1 to 1000", `"1001"`},
	{"after max_results", `max_results 5 offset 1`, false, 15, "end of input", `"offset"`},
	{"NUL", "where a ~ \"x\x00\"", false, 13, "valid text", "a NUL character"},
	{"invalid UTF-8", "where a ~ ä\xff", false, 12, "valid text", "invalid UTF-8"},
	{"too long", "where a ~ " + strings.Repeat("x", 3991), false, 4001, "a query of at most 4000 characters", "a longer query"},
	{"too deep", "where " + strings.Repeat("(", 33) + "a ~ x" + strings.Repeat(")", 33), false, 39, "at most 32 nested parentheses", `"("`},
	{"too many conditions", "where " + strings.Repeat("a ~ x or ", 100) + "b ~ y", false, 907, "at most 100 conditions", "condition 101"},
	{"too many values", "where integer a in (" + strings.Repeat("1,", 1200) + "2)", false, 2021, "at most 1000 values in a list", "value 1001"},
	{"too many select fields", "select (" + strings.Repeat("a,", 50) + "b)", false, 109, "at most 50 fields in select", `"b"`},
	{"too many from types", "from (" + strings.Repeat("a,", 50) + "b)", false, 107, "at most 50 types in from", `"b"`},
	{"condition: trailing word", `a ~ x y`, true, 7, `"and", "or" or end of input`, `"y"`},
	{"condition: a clause", `a ~ x order_by a`, true, 7, `"and", "or" or end of input`, `"order_by"`},
	{"condition: where keyword", `where a ~ x`, true, 7, "an operator (~, !~, like, notlike, =, !=, >, <, >=, <=, in, !in)", `"a"`},
	{"condition: empty", ``, true, 1, "a condition", "end of input"},
	{"condition: bad value", `integer n = x`, true, 13, "an integer", `"x"`},
	{"condition: long found shortened", `a ~ x ` + strings.Repeat("y", 50), true, 7, `"and", "or" or end of input`, `"` + strings.Repeat("y", 40) + `…"`},
}

func TestErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.cond {
				_, err = ParseCondition(tt.in)
			} else {
				_, err = Parse(tt.in)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want an *Error", err, err)
			}
			want := &Error{Pos: tt.pos, Expected: tt.expected, Found: tt.found}
			if *e != *want {
				t.Fatalf("input %q\n got %#v\nwant %#v", tt.in, e, want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse(`where name > 5`)
	want := `Malformed query at position 12: expected an operator for a text field (~, !~, like, notlike, =, !=), found ">".`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	_, err = Parse(`where`)
	want = `Malformed query at position 6: expected a condition, found end of input.`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// TestLimitsAccepted checks that the limits themselves are accepted.
func TestLimitsAccepted(t *testing.T) {
	for _, in := range []string{
		"where " + strings.Repeat("(", 32) + "a ~ x" + strings.Repeat(")", 32),
		"where " + strings.Repeat("a ~ x or ", 99) + "b ~ y",
		"where integer a in (" + strings.Repeat("1,", 999) + "2)",
		"select (" + strings.Repeat("a,", 49) + "b)",
		"from (" + strings.Repeat("a,", 49) + "b)",
		"where a ~ " + strings.Repeat("x", 3990),
	} {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%.40q…): %v", in, err)
		}
	}
}

// TestCanonical checks that String gives a form that parses back to the same query.
func TestCanonical(t *testing.T) {
	for _, tt := range parseTests {
		roundTrip(t, tt.in)
	}
	for _, tt := range condTests {
		roundTrip(t, "where "+tt.in)
	}
	q, _ := Parse(specExample)
	want := `from (accounts, contacts) where text.all_text ~ "cloth" and integer.timesContacted > 1 or text.name like "world" order_by text.name desc offset 5 max_results 10`
	if got := q.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// roundTrip parses in, then its canonical form, and fails when they differ (positions aside).
func roundTrip(t *testing.T, in string) {
	t.Helper()
	q, err := Parse(in)
	if err != nil {
		return
	}
	s := q.String()
	if len(s) > MaxLength {
		return
	}
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("the canonical form %q of %q does not parse: %v", s, in, err)
	}
	clearPos(q.Where)
	clearPos(q2.Where)
	if !reflect.DeepEqual(q, q2) {
		t.Fatalf("the canonical form %q of %q parses differently:\n%s\n%s", s, in, dump(q), dump(q2))
	}
}

func clearPos(e *Expr) {
	if e == nil {
		return
	}
	if e.Cond != nil {
		e.Cond.Pos = 0
		for i := range e.Cond.Values {
			e.Cond.Values[i].Pos = 0
		}
	}
	for _, c := range e.Children {
		clearPos(c)
	}
}
