package server_test

import (
	"context"
	"net/http"
	"testing"

	"webapi/gen"
	"webapi/server/apitest"
)

// The generated Go client works against the server: typed requests (bracketed parameters
// included) and typed JSON:API responses.
func TestGeneratedClient(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		client, err := gen.NewClientWithResponses("http://api.test", gen.WithHTTPClient(&http.Client{Transport: env.Transport()}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		description := "From the client"
		created, err := client.CreateAccountWithApplicationVndAPIPlusJSONBodyWithResponse(ctx, &gen.CreateAccountParams{},
			gen.AccountsCreateDocument{Data: gen.AccountsCreate{Type: gen.AccountsCreateTypeAccounts,
				Attributes: gen.AccountsCreateAttributes{Name: "Acme", Description: &description}}})
		if err != nil {
			t.Fatal(err)
		}
		if created.StatusCode() != http.StatusCreated || created.ApplicationvndApiJSON201 == nil {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		id := created.ApplicationvndApiJSON201.Data.Id
		size, name := gen.PageSize(5), gen.AccountsFilterName("Acme")
		list, err := client.ListAccountsWithResponse(ctx, &gen.ListAccountsParams{PageSize: &size, FilterName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if list.StatusCode() != http.StatusOK || list.ApplicationvndApiJSON200 == nil {
			t.Fatalf("list: %d %s", list.StatusCode(), list.Body)
		}
		data := list.ApplicationvndApiJSON200.Data
		if len(data) != 1 || data[0].Id != id || data[0].Attributes.Name == nil || *data[0].Attributes.Name != "Acme" ||
			*data[0].Attributes.Description != description {
			t.Fatalf("list returned %+v", data)
		}
	})
}
