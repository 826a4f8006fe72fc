package server_test

import (
	"testing"

	"webapi/server/apitest"
)

// In the plain format the meta title goes under "meta": users have a "title" attribute (the job
// title) of their own.
func TestPlainMetaTitle(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		plain := map[string]string{"Accept": "application/json"}
		res := env.Do(apitest.Request{Path: "/api/users/1?meta=title&fields[users]=username,title", Header: plain})
		res.Expect(t, 200, `{"id":1,"username":"admin","title":null,"meta":{"title":"John Doe"}}`)
		res = env.Do(apitest.Request{Path: "/api/contactsources?meta=title&page[size]=1", Header: plain})
		res.Expect(t, 200, `[{"id":"call","name":"Call","meta":{"title":"Call"}}]`)
	})
}
