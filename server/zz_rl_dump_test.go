package server_test

import (
	"fmt"
	"testing"

	"webapi/server/apitest"
)

func TestRLDump(t *testing.T) {
	rlBackends(t, func(t *testing.T, env *apitest.Env) {
		res := env.Do(apitest.Request{Method: "POST", Path: "/api/accounts", Body: `{"data":{"type":"accounts","attributes":{"name":"Gartner management group"},
  "relationships":{"contacts":{"data":[{"type":"contacts","id":"john_doe"},{"type":"contacts","id":"nancy_jones"}]},
    "defaultContact":{"data":{"type":"contacts","id":"john_doe"}}}},
 "included":[
  {"type":"contacts","id":"john_doe","attributes":{"firstName":"John","lastName":"Doe","primaryEmail":"john.doe@example.com"},
   "relationships":{"source":{"data":{"type":"contactsources","id":"website"}}}},
  {"type":"contacts","id":"nancy_jones","attributes":{"firstName":"Nancy","lastName":"Jones"}}]}`})
		fmt.Println(res.Status, res.Header, string(res.Body))
	})
}
