package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/oapi-codegen/nullable"

	"webapi/gen"
	"webapi/server/apitest"
)

// The generated Go client works against the server: the short method names send JSON:API
// (gen.APIClient), bracketed parameters are typed, responses are typed, and a PATCH can set a
// nullable attribute or a to-one relationship to null (nullable.Nullable) as well as leave it
// alone.
func TestGeneratedClient(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		client, err := gen.NewAPIClient("http://api.test", gen.WithHTTPClient(&http.Client{Transport: env.Transport()}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		contact, err := client.CreateContact(ctx, &gen.CreateContactParams{}, gen.ContactsCreateDocument{Data: gen.ContactsCreate{
			Type: gen.ContactsCreateTypeContacts, Attributes: gen.ContactsCreateAttributes{FirstName: nullable.NewNullableWithValue("Jane")}}})
		if err != nil || contact.StatusCode() != http.StatusCreated {
			t.Fatalf("create a contact: %v %s", err, contact.Body)
		}
		contactID := contact.ApplicationvndApiJSON201.Data.Id

		description := "From the client"
		created, err := client.CreateAccount(ctx, &gen.CreateAccountParams{}, gen.AccountsCreateDocument{Data: gen.AccountsCreate{
			Type:       gen.AccountsCreateTypeAccounts,
			Attributes: gen.AccountsCreateAttributes{Name: "Acme", Description: nullable.NewNullableWithValue(description)},
			Relationships: &gen.AccountsRelationships{DefaultContact: &gen.ContactsToOne{
				Data: nullable.NewNullableWithValue(gen.ContactsIdentifierOrNull{Type: gen.ContactsIdentifierOrNullTypeContacts, Id: contactID})}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if created.StatusCode() != http.StatusCreated || created.ApplicationvndApiJSON201 == nil {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		id := created.ApplicationvndApiJSON201.Data.Id

		size, name := gen.PageSize(5), gen.AccountsFilterName("Acme")
		list, err := client.ListAccounts(ctx, &gen.ListAccountsParams{PageSize: &size, FilterName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if list.StatusCode() != http.StatusOK || list.ApplicationvndApiJSON200 == nil {
			t.Fatalf("list: %d %s", list.StatusCode(), list.Body)
		}
		data := list.ApplicationvndApiJSON200.Data
		if len(data) != 1 || data[0].Id != id || data[0].Attributes.Name == nil || *data[0].Attributes.Name != "Acme" {
			t.Fatalf("list returned %+v", data)
		}
		if got, err := data[0].Attributes.Description.Get(); err != nil || got != description {
			t.Fatalf("description %q (%v), want %q", got, err, description)
		}

		// A PATCH that clears the description and the default contact and leaves the name alone.
		updated, err := client.UpdateAccount(ctx, id, &gen.UpdateAccountParams{}, gen.AccountsUpdateDocument{Data: gen.AccountsUpdate{
			Type: gen.AccountsUpdateTypeAccounts, Id: id,
			Attributes:    &gen.AccountsAttributes{Description: nullable.NewNullNullable[string]()},
			Relationships: &gen.AccountsRelationships{DefaultContact: &gen.ContactsToOne{Data: nullable.NewNullNullable[gen.ContactsIdentifierOrNull]()}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if updated.StatusCode() != http.StatusOK || updated.ApplicationvndApiJSON200 == nil {
			t.Fatalf("update: %d %s", updated.StatusCode(), updated.Body)
		}
		account := updated.ApplicationvndApiJSON200.Data
		if !account.Attributes.Description.IsNull() || account.Attributes.Name == nil || *account.Attributes.Name != "Acme" {
			t.Fatalf("after the PATCH: %s", updated.Body)
		}
		if dc := account.Relationships.DefaultContact; dc == nil || !dc.Data.IsNull() {
			t.Fatalf("the default contact was not cleared: %s", updated.Body)
		}
	})
}
