package server_test

// Scenario tests of the CRM types of domain.md: accounts, contacts, contactsources and calls,
// with the communication fields that follow the calls. The scenarios (scene) are those of
// platform_test.go, the expectations those of expect_test.go.

import (
	"fmt"
	"testing"

	"webapi/server/apitest"
)

// comm is the expected value of the communication fields of an account or a contact.
type comm struct {
	last, in, out            string // lastContactedDate[In|Out]; "" = null
	times, timesIn, timesOut int
}

// noCalls is the communication of a record without calls.
var noCalls = comm{}

func (c comm) attrs() string {
	date := func(s string) string {
		if s == "" {
			return "null"
		}
		return jsonText(s)
	}
	return fmt.Sprintf(`"lastContactedDate":%s,"lastContactedDateIn":%s,"lastContactedDateOut":%s,"timesContacted":%d,"timesContactedIn":%d,"timesContactedOut":%d`,
		date(c.last), date(c.in), date(c.out), c.times, c.timesIn, c.timesOut)
}

const commFields = "lastContactedDate,lastContactedDateIn,lastContactedDateOut,timesContacted,timesContactedIn,timesContactedOut"

// communication asserts the communication fields of typ/id (accounts or contacts).
func (s *scene) communication(typ, id string, c comm) {
	s.t.Helper()
	path := "/api/" + typ + "/" + id + "?fields[" + typ + "]=" + commFields
	s.expect("GET", path, "", 200, itemDoc(apiHost+path,
		`{"type":`+jsonText(typ)+`,"id":`+jsonText(id)+`,"links":{"self":`+jsonText(resURL(typ, id))+`},"attributes":{`+c.attrs()+`}}`))
}

// linkage asserts the linkage of one relationship of typ/id (read with a sparse fieldset).
func (s *scene) linkage(typ, id, name, data string) {
	s.t.Helper()
	path := "/api/" + typ + "/" + id + "?fields[" + typ + "]=" + name
	self := resURL(typ, id)
	s.expect("GET", path, "", 200, itemDoc(apiHost+path,
		`{"type":`+jsonText(typ)+`,"id":`+jsonText(id)+`,"links":{"self":`+jsonText(self)+`},"relationships":{`+jsonText(name)+
			`:{"data":`+data+`,"links":{"self":`+jsonText(self+"/relationships/"+name)+`,"related":`+jsonText(self+"/"+name)+`}}}}`))
}

// ---- accounts ----

func accountResource(id, name string, description any, c comm, contacts, defaultContact, owner string) string {
	return resObject("accounts", id, `"name":`+jsonText(name)+`,"description":`+jsonText(description)+","+c.attrs()+","+stamps,
		relData{"contacts", contacts}, relData{"defaultContact", defaultContact}, relData{"owner", owner},
		relData{"organization", ident("organizations", "1")})
}

// accountPlain is an account with a name only, owned by user 1, without contacts or calls.
func accountPlain(id, name string) string {
	return accountResource(id, name, nil, noCalls, "[]", "null", ident("users", "1"))
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		admin := ident("users", "1")
		s.step("create", func(s *scene) {
			s.create("accounts", "1", `{"data":{"type":"accounts","attributes":{"name":"Acme","description":"Anvils and rockets"}}}`,
				accountResource("1", "Acme", "Anvils and rockets", noCalls, "[]", "null", admin))
		})
		s.step("read", func(s *scene) {
			s.read("accounts", "1", accountResource("1", "Acme", "Anvils and rockets", noCalls, "[]", "null", admin))
			s.expect("GET", "/api/accounts/2", "", 404, notFoundDoc)
			s.expect("GET", "/api/accounts/abc", "", 404, notFoundDoc)
		})
		s.step("update changes only the members sent", func(s *scene) {
			s.update("accounts", "1", `{"description":null}`, "", accountResource("1", "Acme", nil, noCalls, "[]", "null", admin))
			s.update("accounts", "1", `{"name":"Acme Inc."}`, "", accountResource("1", "Acme Inc.", nil, noCalls, "[]", "null", admin))
			s.read("accounts", "1", accountResource("1", "Acme Inc.", nil, noCalls, "[]", "null", admin))
		})
		s.step("owner", func(s *scene) {
			s.create("users", "2", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com"}}}`,
				userResource("2", userAttrs("jane", "jane@example.com", ""), "[]", "[]", ident("businessunits", "1")))
			s.update("accounts", "1", "", `{"owner":{"data":{"type":"users","id":"2"}}}`,
				accountResource("1", "Acme Inc.", nil, noCalls, "[]", "null", ident("users", "2")))
			s.update("accounts", "1", "", `{"owner":{"data":{"type":"users","id":"1"}}}`,
				accountResource("1", "Acme Inc.", nil, noCalls, "[]", "null", admin))
		})
		s.step("a default contact joins the contacts", func(s *scene) {
			s.create("contacts", "1", `{"data":{"type":"contacts","attributes":{"firstName":"Ann"}}}`, contactPlain("1", `"firstName":"Ann"`, "[]"))
			s.create("contacts", "2", `{"data":{"type":"contacts","attributes":{"firstName":"Bob"}}}`, contactPlain("2", `"firstName":"Bob"`, "[]"))
			s.create("accounts", "2", `{"data":{"type":"accounts","attributes":{"name":"Globex"},"relationships":{
				"contacts":{"data":[{"type":"contacts","id":"1"}]},"defaultContact":{"data":{"type":"contacts","id":"2"}}}}}`,
				accountResource("2", "Globex", nil, noCalls, idents("contacts", "1", "2"), ident("contacts", "2"), admin))
			s.update("accounts", "1", "", `{"defaultContact":{"data":{"type":"contacts","id":"1"}}}`,
				accountResource("1", "Acme Inc.", nil, noCalls, idents("contacts", "1"), ident("contacts", "1"), admin))
			// replacing the contacts keeps the default contact among them
			s.update("accounts", "2", "", `{"contacts":{"data":[]}}`,
				accountResource("2", "Globex", nil, noCalls, idents("contacts", "2"), ident("contacts", "2"), admin))
			s.update("accounts", "2", "", `{"defaultContact":{"data":null}}`,
				accountResource("2", "Globex", nil, noCalls, idents("contacts", "2"), "null", admin))
			s.linkage("contacts", "1", "accounts", idents("accounts", "1"))
			s.linkage("contacts", "2", "accounts", idents("accounts", "2"))
		})
		s.step("errors", func(s *scene) {
			account := func(attrs string) string { return `{"data":{"type":"accounts","attributes":` + attrs + `}}` }
			withRels := func(rels string) string {
				return `{"data":{"type":"accounts","attributes":{"name":"X"},"relationships":` + rels + `}}`
			}
			s.fails("accounts", []failCase{
				{name: "name missing", body: account(`{"description":"x"}`), invalid: true, want: []apiError{notBlank(attrAt("name"))}},
				{name: "name blank", body: account(`{"name":"  "}`), want: []apiError{notBlank(attrAt("name"))}},
				{name: "name null on update", method: "PATCH", path: "/api/accounts/1", body: writeDoc("accounts", "1", `{"name":null}`, ""), invalid: true,
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name too long", body: account(`{"name":"` + repeatX(256) + `"}`), invalid: true, want: []apiError{tooLong(attrAt("name"), 255)}},
				{name: "wrong type", body: account(`{"name":42}`), invalid: true, want: []apiError{wrongType(attrAt("name"), "string")}},
				{name: "unknown attribute", body: account(`{"name":"X","industry":"anvils"}`), invalid: true, want: []apiError{extraField(attrAt("industry"))}},
				{name: "read-only attributes", body: account(`{"name":"X","timesContacted":3,"lastContactedDate":"2024-01-01T00:00:00Z"}`), invalid: true,
					want: []apiError{extraField(attrAt("lastContactedDate")), extraField(attrAt("timesContacted"))}},
				{name: "contact does not exist", body: withRels(`{"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"99"}]}}`),
					want: []apiError{noEntity(linkAt("contacts") + "/1")}},
				{name: "default contact does not exist", body: withRels(`{"defaultContact":{"data":{"type":"contacts","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("defaultContact"))}},
				{name: "owner does not exist", body: withRels(`{"owner":{"data":{"type":"users","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("owner"))}},
				{name: "owner null", body: withRels(`{"owner":{"data":null}}`), want: []apiError{notBlank(linkAt("owner"))}},
				{name: "organization does not exist", method: "PATCH", path: "/api/accounts/1",
					body: writeDoc("accounts", "1", "", `{"organization":{"data":{"type":"organizations","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("organization"))}},
				{name: "several problems", body: `{"data":{"type":"accounts","attributes":{"description":7,"timesContactedIn":1},
					"relationships":{"contacts":{"data":[{"type":"contacts","id":"98"}]},"owner":{"data":{"type":"users","id":"99"}}}}}`, invalid: true,
					want: []apiError{wrongType(attrAt("description"), "string"), extraField(attrAt("timesContactedIn")), notBlank(attrAt("name")),
						noEntity(linkAt("contacts") + "/0"), noEntity(linkAt("owner"))}},
			})
			s.read("accounts", "1", accountResource("1", "Acme Inc.", nil, noCalls, idents("contacts", "1"), ident("contacts", "1"), admin))
		})
		s.step("collection", func(s *scene) {
			items := []string{
				accountResource("1", "Acme Inc.", nil, noCalls, idents("contacts", "1"), ident("contacts", "1"), admin),
				accountResource("2", "Globex", nil, noCalls, idents("contacts", "2"), "null", admin),
			}
			for i := 3; i <= 11; i++ {
				id, name := fmt.Sprint(i), fmt.Sprintf("Account %c", 'Z'-i)
				s.create("accounts", id, `{"data":{"type":"accounts","attributes":{"name":`+jsonText(name)+`}}}`, accountPlain(id, name))
				items = append(items, accountPlain(id, name))
			}
			s.expectPages("accounts", items)
		})
		s.step("title", func(s *scene) {
			s.title("accounts", "1", "Acme Inc.")
			s.title("accounts", "2", "Globex")
		})
		s.step("delete", func(s *scene) {
			s.remove("accounts", "1")
			s.linkage("contacts", "1", "accounts", "[]")
		})
	})
}

// ---- contacts ----

// contactAttrs are the attributes of a contact: the members given (JSON members, without
// braces), null for every other one, then the communication fields and the timestamps.
func contactAttrs(more string, c comm) string {
	order := []string{"namePrefix", "firstName", "middleName", "lastName", "nameSuffix", "gender", "birthday", "jobTitle",
		"description", "primaryEmail", "primaryPhone"}
	defaults := map[string]string{}
	for _, k := range order {
		defaults[k] = "null"
	}
	return members(order, defaults, more) + "," + c.attrs() + "," + stamps
}

func contactResource(id, attrs, source, accounts, calls, owner string) string {
	return resObject("contacts", id, attrs, relData{"source", source}, relData{"accounts", accounts}, relData{"calls", calls},
		relData{"owner", owner}, relData{"organization", ident("organizations", "1")})
}

// contactPlain is a contact with the given attributes, without calls or source, owned by user 1.
func contactPlain(id, more, accounts string) string {
	return contactResource(id, contactAttrs(more, noCalls), "null", accounts, "[]", ident("users", "1"))
}

func TestContacts(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		const annAttrs = `"namePrefix":"Dr.","firstName":"Ann","middleName":"B.","lastName":"Smith","nameSuffix":"Jr.","gender":"female",
			"birthday":"1980-02-29","jobTitle":"CTO","description":"Met at a fair","primaryEmail":"ann@example.com","primaryPhone":"+1 555 0100"`
		ann := func(more, source, accounts string) string {
			return contactResource("1", contactAttrs(more, noCalls), source, accounts, "[]", ident("users", "1"))
		}
		s.step("create", func(s *scene) {
			s.create("accounts", "1", `{"data":{"type":"accounts","attributes":{"name":"Acme"}}}`, accountPlain("1", "Acme"))
			s.create("contacts", "1", `{"data":{"type":"contacts","attributes":{`+annAttrs+`},
				"relationships":{"source":{"data":{"type":"contactsources","id":"website"}},"accounts":{"data":[{"type":"accounts","id":"1"}]}}}}`,
				ann(annAttrs, ident("contactsources", "website"), idents("accounts", "1")))
		})
		s.step("accounts is the inverse of accounts.contacts", func(s *scene) {
			s.linkage("accounts", "1", "contacts", idents("contacts", "1"))
		})
		s.step("read", func(s *scene) {
			s.read("contacts", "1", ann(annAttrs, ident("contactsources", "website"), idents("accounts", "1")))
			s.expect("GET", "/api/contacts/2", "", 404, notFoundDoc)
		})
		const annUpdated = `"namePrefix":"Dr.","firstName":"Ann","lastName":"Smith","nameSuffix":"Jr.","gender":"female",
			"jobTitle":"CEO","description":"Met at a fair","primaryEmail":"ann@example.com","primaryPhone":"+1 555 0100"`
		s.step("update changes only the members sent", func(s *scene) {
			s.update("contacts", "1", `{"middleName":null,"birthday":null,"jobTitle":"CEO"}`, `{"source":{"data":null}}`,
				ann(annUpdated, "null", idents("accounts", "1")))
			s.update("contacts", "1", "", `{"accounts":{"data":[]}}`, ann(annUpdated, "null", "[]"))
			s.linkage("accounts", "1", "contacts", "[]")
			s.update("contacts", "1", "", `{"source":{"data":{"type":"contactsources","id":"tv"}},"accounts":{"data":[{"type":"accounts","id":"1"}]}}`,
				ann(annUpdated, ident("contactsources", "tv"), idents("accounts", "1")))
		})
		s.step("any one of the name fields is enough", func(s *scene) {
			s.create("contacts", "2", `{"data":{"type":"contacts","attributes":{"lastName":"Solo"}}}`, contactPlain("2", `"lastName":"Solo"`, "[]"))
			s.create("contacts", "3", `{"data":{"type":"contacts","attributes":{"primaryEmail":"only@example.com"}}}`,
				contactPlain("3", `"primaryEmail":"only@example.com"`, "[]"))
			s.create("contacts", "4", `{"data":{"type":"contacts","attributes":{"primaryPhone":"+1 555 0199","jobTitle":"Buyer"}}}`,
				contactPlain("4", `"primaryPhone":"+1 555 0199","jobTitle":"Buyer"`, "[]"))
			s.create("contacts", "5", `{"data":{"type":"contacts","attributes":{"firstName":"  Mary  ","lastName":" Ann   Lee","primaryEmail":"mary@example.com"}}}`,
				contactPlain("5", `"firstName":"  Mary  ","lastName":" Ann   Lee","primaryEmail":"mary@example.com"`, "[]"))
		})
		s.step("name rule", func(s *scene) {
			rule := invalid(attrAt("firstName"), "not blank constraint", "At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")
			s.fails("contacts", []failCase{
				{name: "no name field", body: `{"data":{"type":"contacts","attributes":{"namePrefix":"Mr.","jobTitle":"CEO"}}}`, want: []apiError{rule}},
				{name: "no attributes", body: `{"data":{"type":"contacts","attributes":{}}}`, want: []apiError{rule}},
				{name: "blank name fields", body: `{"data":{"type":"contacts","attributes":{"firstName":" ","lastName":"","primaryEmail":null,"primaryPhone":"   "}}}`,
					want: []apiError{rule}},
				{name: "the last name field cleared", method: "PATCH", path: "/api/contacts/2", body: writeDoc("contacts", "2", `{"lastName":null}`, ""),
					want: []apiError{rule}},
				{name: "the last name field blanked", method: "PATCH", path: "/api/contacts/3", body: writeDoc("contacts", "3", `{"primaryEmail":null,"firstName":"  "}`, ""),
					want: []apiError{rule}},
			})
			s.read("contacts", "2", contactPlain("2", `"lastName":"Solo"`, "[]"))
		})
		s.step("title", func(s *scene) {
			s.title("contacts", "1", "Dr. Ann Smith Jr.")
			s.title("contacts", "2", "Solo")
			s.title("contacts", "3", "only@example.com")
			s.title("contacts", "4", "+1 555 0199")
			s.title("contacts", "5", "Mary Ann Lee")
		})
		s.step("errors", func(s *scene) {
			contact := func(attrs string) string { return `{"data":{"type":"contacts","attributes":` + attrs + `}}` }
			withRels := func(rels string) string {
				return `{"data":{"type":"contacts","attributes":{"firstName":"X"},"relationships":` + rels + `}}`
			}
			s.fails("contacts", []failCase{
				{name: "gender", body: contact(`{"firstName":"X","gender":"other"}`), invalid: true, want: []apiError{badChoice(attrAt("gender"))}},
				{name: "email", body: contact(`{"firstName":"X","primaryEmail":"ann(at)example.com"}`), invalid: true, want: []apiError{badEmail(attrAt("primaryEmail"))}},
				{name: "phone too long", body: contact(`{"firstName":"X","primaryPhone":"` + repeatX(101) + `"}`), invalid: true, want: []apiError{tooLong(attrAt("primaryPhone"), 100)}},
				{name: "first name too long", body: contact(`{"firstName":"` + repeatX(256) + `","lastName":"X"}`), invalid: true, want: []apiError{tooLong(attrAt("firstName"), 255)}},
				{name: "birthday of the wrong type", body: contact(`{"firstName":"X","birthday":true}`), invalid: true, want: []apiError{wrongType(attrAt("birthday"), "date")}},
				{name: "birthday not a date", body: contact(`{"firstName":"X","birthday":"1980-02-30"}`), invalid: true,
					want: []apiError{invalid(attrAt("birthday"), "type constraint", "This value is not a valid date.")}},
				{name: "unknown attribute", body: contact(`{"firstName":"X","nickname":"Xi"}`), invalid: true, want: []apiError{extraField(attrAt("nickname"))}},
				{name: "read-only attributes", body: contact(`{"firstName":"X","timesContactedOut":2,"lastContactedDateIn":"2024-01-01T00:00:00Z"}`), invalid: true,
					want: []apiError{extraField(attrAt("lastContactedDateIn")), extraField(attrAt("timesContactedOut"))}},
				{name: "read-only relationship", body: withRels(`{"calls":{"data":[]}}`), invalid: true, want: []apiError{extraField(relAt("calls"))}},
				{name: "source does not exist", body: withRels(`{"source":{"data":{"type":"contactsources","id":"radio"}}}`),
					want: []apiError{noEntity(linkAt("source"))}},
				{name: "account does not exist", body: withRels(`{"accounts":{"data":[{"type":"accounts","id":"99"}]}}`),
					want: []apiError{noEntity(linkAt("accounts") + "/0")}},
				{name: "owner does not exist", method: "PATCH", path: "/api/contacts/1", body: writeDoc("contacts", "1", "", `{"owner":{"data":{"type":"users","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("owner"))}},
				{name: "owner null", method: "PATCH", path: "/api/contacts/1", body: writeDoc("contacts", "1", "", `{"owner":{"data":null}}`),
					want: []apiError{notBlank(linkAt("owner"))}},
				{name: "several problems", body: `{"data":{"type":"contacts","attributes":{"firstName":"X","gender":"f","primaryEmail":"x@","timesContacted":1},
					"relationships":{"source":{"data":{"type":"contactsources","id":"radio"}},"calls":{"data":[]}}}}`, invalid: true,
					want: []apiError{badChoice(attrAt("gender")), badEmail(attrAt("primaryEmail")), extraField(attrAt("timesContacted")),
						extraField(relAt("calls")), noEntity(linkAt("source"))}},
			})
		})
		s.step("collection", func(s *scene) {
			items := []string{
				ann(annUpdated, ident("contactsources", "tv"), idents("accounts", "1")),
				contactPlain("2", `"lastName":"Solo"`, "[]"),
				contactPlain("3", `"primaryEmail":"only@example.com"`, "[]"),
				contactPlain("4", `"primaryPhone":"+1 555 0199","jobTitle":"Buyer"`, "[]"),
				contactPlain("5", `"firstName":"  Mary  ","lastName":" Ann   Lee","primaryEmail":"mary@example.com"`, "[]"),
			}
			for i := 6; i <= 11; i++ {
				id, more := fmt.Sprint(i), fmt.Sprintf(`"firstName":"Person","lastName":"No %d"`, 20-i)
				s.create("contacts", id, `{"data":{"type":"contacts","attributes":{`+more+`}}}`, contactPlain(id, more, "[]"))
				items = append(items, contactPlain(id, more, "[]"))
			}
			s.expectPages("contacts", items)
		})
		s.step("delete", func(s *scene) {
			s.remove("contacts", "1")
			s.linkage("accounts", "1", "contacts", "[]")
		})
	})
}

// ---- contact sources ----

func sourceResource(id, name string) string {
	return resObject("contactsources", id, `"name":`+jsonText(name))
}

func TestContactSources(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		s.step("collection", func(s *scene) {
			// ordered by id: the codes in alphabetical order
			s.expect("GET", "/api/contactsources", "", 200, listDoc(pageLinks("contactsources", 1, 1),
				sourceResource("call", "Call"), sourceResource("other", "Other"), sourceResource("tv", "TV"), sourceResource("website", "Website")))
		})
		s.step("read", func(s *scene) {
			s.read("contactsources", "tv", sourceResource("tv", "TV"))
			s.read("contactsources", "website", sourceResource("website", "Website"))
			s.expect("GET", "/api/contactsources/radio", "", 404, notFoundDoc)
		})
		s.step("title", func(s *scene) {
			s.title("contactsources", "tv", "TV")
			s.title("contactsources", "other", "Other")
		})
		s.step("read-only", func(s *scene) {
			for _, r := range []apitest.Request{
				{Method: "POST", Path: "/api/contactsources", Body: `{"data":{"type":"contactsources","id":"radio","attributes":{"name":"Radio"}}}`},
				{Method: "PATCH", Path: "/api/contactsources", Body: `{"data":[{"type":"contactsources","id":"tv","attributes":{"name":"Television"}}]}`},
				{Method: "DELETE", Path: "/api/contactsources?filter[id]=tv"},
				{Method: "PUT", Path: "/api/contactsources", Body: `{"data":[]}`},
				{Method: "POST", Path: "/api/contactsources/tv", Body: `{"data":{"type":"contactsources","id":"tv"}}`},
				{Method: "PATCH", Path: "/api/contactsources/tv", Body: `{"data":{"type":"contactsources","id":"tv","attributes":{"name":"Television"}}}`},
				{Method: "PUT", Path: "/api/contactsources/tv", Body: `{"data":{"type":"contactsources","id":"tv","attributes":{"name":"Television"}}}`},
				{Method: "DELETE", Path: "/api/contactsources/tv"},
			} {
				res := s.env.Do(r)
				res.Expect(s.t, 405, "")
				if got := res.Header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
					s.t.Errorf("%s %s: Allow %q, want %q", r.Method, r.Path, got, "GET, HEAD, OPTIONS")
				}
			}
			for _, path := range []string{"/api/contactsources", "/api/contactsources/tv"} {
				res := s.expect("OPTIONS", path, "", 200, "")
				if got := res.Header.Get("Allow"); got != "GET, HEAD, OPTIONS" {
					s.t.Errorf("OPTIONS %s: Allow %q, want %q", path, got, "GET, HEAD, OPTIONS")
				}
			}
			s.read("contactsources", "tv", sourceResource("tv", "TV"))
		})
	})
}

// ---- calls ----

// callAttrs are the attributes of a call: the members given, null for the other ones.
func callAttrs(more string) string {
	order := []string{"subject", "phoneNumber", "notes", "callDateTime", "direction", "duration"}
	defaults := map[string]string{"subject": "null", "phoneNumber": "null", "notes": "null", "callDateTime": "null", "direction": "null", "duration": "null"}
	return members(order, defaults, more) + "," + stamps
}

func callResource(id, more, contact, account string) string {
	return resObject("calls", id, callAttrs(more), relData{"contact", contact}, relData{"account", account},
		relData{"owner", ident("users", "1")}, relData{"organization", ident("organizations", "1")})
}

// callBody is the document of a new call with the given attributes and relationships.
func callBody(attrs, rels string) string {
	b := `{"data":{"type":"calls","attributes":{` + attrs + `}`
	if rels != "" {
		b += `,"relationships":` + rels
	}
	return b + "}}"
}

func TestCalls(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		contact := func(id string) string { return `{"data":{"type":"contacts","id":"` + id + `"}}` }
		account := func(id string) string { return `{"data":{"type":"accounts","id":"` + id + `"}}` }
		const firstCall = `"subject":"Introduction","phoneNumber":"+1 555 0100","notes":"Wants a quote","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming","duration":120`
		s.step("create", func(s *scene) {
			s.create("accounts", "1", `{"data":{"type":"accounts","attributes":{"name":"Acme"}}}`, accountPlain("1", "Acme"))
			s.create("contacts", "1", `{"data":{"type":"contacts","attributes":{"firstName":"Ann"}}}`, contactPlain("1", `"firstName":"Ann"`, "[]"))
			s.create("contacts", "2", `{"data":{"type":"contacts","attributes":{"firstName":"Bob"}}}`, contactPlain("2", `"firstName":"Bob"`, "[]"))
			// a date-time with an offset is stored and returned in UTC
			s.create("calls", "1", callBody(`"subject":"Introduction","phoneNumber":"+1 555 0100","notes":"Wants a quote",
				"callDateTime":"2024-03-01T12:00:00+02:00","direction":"incoming","duration":120`, `{"contact":`+contact("1")+`,"account":`+account("1")+`}`),
				callResource("1", firstCall, ident("contacts", "1"), ident("accounts", "1")))
		})
		s.step("read", func(s *scene) {
			s.read("calls", "1", callResource("1", firstCall, ident("contacts", "1"), ident("accounts", "1")))
			s.expect("GET", "/api/calls/2", "", 404, notFoundDoc)
		})
		s.step("communication fields follow calls", func(s *scene) {
			one := comm{last: "2024-03-01T10:00:00Z", in: "2024-03-01T10:00:00Z", times: 1, timesIn: 1}
			s.communication("accounts", "1", one)
			s.communication("contacts", "1", one)
			s.communication("contacts", "2", noCalls)
			s.linkage("contacts", "1", "calls", idents("calls", "1"))

			s.create("calls", "2", callBody(`"subject":"Quote","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing"`, `{"contact":`+contact("1")+`,"account":`+account("1")+`}`),
				callResource("2", `"subject":"Quote","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing"`, ident("contacts", "1"), ident("accounts", "1")))
			two := comm{last: "2024-03-05T09:30:00Z", in: "2024-03-01T10:00:00Z", out: "2024-03-05T09:30:00Z", times: 2, timesIn: 1, timesOut: 1}
			s.communication("accounts", "1", two)
			s.communication("contacts", "1", two)
			s.linkage("contacts", "1", "calls", idents("calls", "1", "2"))

			// the direction of call 1 changes: no incoming call is left
			s.update("calls", "1", `{"direction":"outgoing"}`, "",
				callResource("1", `"subject":"Introduction","phoneNumber":"+1 555 0100","notes":"Wants a quote","callDateTime":"2024-03-01T10:00:00Z","direction":"outgoing","duration":120`,
					ident("contacts", "1"), ident("accounts", "1")))
			outgoing := comm{last: "2024-03-05T09:30:00Z", out: "2024-03-05T09:30:00Z", times: 2, timesOut: 2}
			s.communication("accounts", "1", outgoing)
			s.communication("contacts", "1", outgoing)

			// call 1 moves to a later date: it is the latest now
			s.update("calls", "1", `{"callDateTime":"2024-04-01T08:00:00Z"}`, "",
				callResource("1", `"subject":"Introduction","phoneNumber":"+1 555 0100","notes":"Wants a quote","callDateTime":"2024-04-01T08:00:00Z","direction":"outgoing","duration":120`,
					ident("contacts", "1"), ident("accounts", "1")))
			later := comm{last: "2024-04-01T08:00:00Z", out: "2024-04-01T08:00:00Z", times: 2, timesOut: 2}
			s.communication("accounts", "1", later)
			s.communication("contacts", "1", later)

			// call 2 moves to contact 2 and leaves the account: both old and new targets change
			s.update("calls", "2", "", `{"contact":`+contact("2")+`,"account":{"data":null}}`,
				callResource("2", `"subject":"Quote","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing"`, ident("contacts", "2"), "null"))
			onlyFirst := comm{last: "2024-04-01T08:00:00Z", out: "2024-04-01T08:00:00Z", times: 1, timesOut: 1}
			s.communication("accounts", "1", onlyFirst)
			s.communication("contacts", "1", onlyFirst)
			s.communication("contacts", "2", comm{last: "2024-03-05T09:30:00Z", out: "2024-03-05T09:30:00Z", times: 1, timesOut: 1})
			s.linkage("contacts", "1", "calls", idents("calls", "1"))
			s.linkage("contacts", "2", "calls", idents("calls", "2"))

			// deleting call 1 leaves contact 1 and the account without calls
			s.remove("calls", "1")
			s.communication("accounts", "1", noCalls)
			s.communication("contacts", "1", noCalls)
			s.linkage("contacts", "1", "calls", "[]")
		})
		s.step("update changes only the members sent", func(s *scene) {
			s.update("calls", "2", `{"notes":"Sent the quote","duration":0}`, "",
				callResource("2", `"subject":"Quote","notes":"Sent the quote","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing","duration":0`, ident("contacts", "2"), "null"))
			s.update("calls", "2", `{"notes":null,"phoneNumber":"+49 30 1234"}`, `{"contact":{"data":null}}`,
				callResource("2", `"subject":"Quote","phoneNumber":"+49 30 1234","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing","duration":0`, "null", "null"))
			s.communication("contacts", "2", noCalls)
		})
		s.step("errors", func(s *scene) {
			const valid = `"subject":"S","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming"`
			s.fails("calls", []failCase{
				{name: "required missing", body: callBody(`"notes":"x"`, ""), invalid: true,
					want: []apiError{notBlank(attrAt("subject")), notBlank(attrAt("callDateTime")), notBlank(attrAt("direction"))}},
				{name: "subject blank", body: callBody(`"subject":" ","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming"`, ""),
					want: []apiError{notBlank(attrAt("subject"))}},
				{name: "subject too long", body: callBody(`"subject":"`+repeatX(256)+`","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming"`, ""), invalid: true,
					want: []apiError{tooLong(attrAt("subject"), 255)}},
				{name: "phone number too long", body: callBody(valid+`,"phoneNumber":"`+repeatX(101)+`"`, ""), invalid: true,
					want: []apiError{tooLong(attrAt("phoneNumber"), 100)}},
				{name: "direction", body: callBody(`"subject":"S","callDateTime":"2024-03-01T10:00:00Z","direction":"sideways"`, ""), invalid: true,
					want: []apiError{badChoice(attrAt("direction"))}},
				{name: "direction null on update", method: "PATCH", path: "/api/calls/2", body: writeDoc("calls", "2", `{"direction":null}`, ""), invalid: true,
					want: []apiError{notBlank(attrAt("direction"))}},
				{name: "negative duration", body: callBody(valid+`,"duration":-1`, ""), invalid: true,
					want: []apiError{invalid(attrAt("duration"), "range constraint", "This value should be 0 or more.")}},
				{name: "duration as a string", body: callBody(valid+`,"duration":"60"`, ""), invalid: true,
					want: []apiError{wrongType(attrAt("duration"), "integer")}},
				{name: "duration not whole", body: callBody(valid+`,"duration":1.5`, ""), invalid: true,
					want: []apiError{wrongType(attrAt("duration"), "integer")}},
				{name: "date-time of the wrong type", body: callBody(`"subject":"S","callDateTime":20240301,"direction":"incoming"`, ""), invalid: true,
					want: []apiError{wrongType(attrAt("callDateTime"), "datetime")}},
				{name: "not a date-time", body: callBody(`"subject":"S","callDateTime":"yesterday","direction":"incoming"`, ""), invalid: true,
					want: []apiError{invalid(attrAt("callDateTime"), "type constraint", "This value is not a valid datetime.")}},
				{name: "unknown attribute", body: callBody(valid+`,"outcome":"good"`, ""), invalid: true, want: []apiError{extraField(attrAt("outcome"))}},
				{name: "contact does not exist", body: callBody(valid, `{"contact":{"data":{"type":"contacts","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("contact"))}},
				{name: "account does not exist", body: callBody(valid, `{"account":{"data":{"type":"accounts","id":"99"}}}`),
					want: []apiError{noEntity(linkAt("account"))}},
				{name: "owner null", body: callBody(valid, `{"owner":{"data":null}}`), want: []apiError{notBlank(linkAt("owner"))}},
				{name: "several problems", body: callBody(`"subject":"","direction":"up","duration":-5,"outcome":1`,
					`{"contact":{"data":{"type":"contacts","id":"98"}},"account":{"data":{"type":"accounts","id":"99"}}}`), invalid: true,
					want: []apiError{notBlank(attrAt("subject")), badChoice(attrAt("direction")), invalid(attrAt("duration"), "range constraint", "This value should be 0 or more."),
						extraField(attrAt("outcome")), notBlank(attrAt("callDateTime")), noEntity(linkAt("contact")), noEntity(linkAt("account"))}},
			})
			s.communication("contacts", "1", noCalls)
			s.communication("accounts", "1", noCalls)
		})
		s.step("collection", func(s *scene) {
			items := []string{callResource("2", `"subject":"Quote","phoneNumber":"+49 30 1234","callDateTime":"2024-03-05T09:30:00Z","direction":"outgoing","duration":0`, "null", "null")}
			for i := 3; i <= 12; i++ {
				id := fmt.Sprint(i)
				more := fmt.Sprintf(`"subject":"Call %d","callDateTime":"2024-05-%02dT10:00:00Z","direction":"incoming","duration":%d`, i, i, 60*i)
				s.create("calls", id, callBody(more, `{"contact":`+contact("2")+`}`), callResource(id, more, ident("contacts", "2"), "null"))
				items = append(items, callResource(id, more, ident("contacts", "2"), "null"))
			}
			s.expectPages("calls", items)
			s.communication("contacts", "2", comm{last: "2024-05-12T10:00:00Z", in: "2024-05-12T10:00:00Z", times: 10, timesIn: 10})
		})
		s.step("title", func(s *scene) {
			s.title("calls", "2", "Quote")
			s.title("calls", "3", "Call 3")
		})
		s.step("delete", func(s *scene) {
			s.remove("calls", "12")
			s.communication("contacts", "2", comm{last: "2024-05-11T10:00:00Z", in: "2024-05-11T10:00:00Z", times: 9, timesIn: 9})
		})
	})
}
