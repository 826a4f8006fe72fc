// Command goclient runs the generated Go client (package gen, oapi-codegen) against a live
// server, the way an integrator would: a token from the OAuth client-credentials grant, then a
// list with a filter and an include, a contact and an account related to it created, the account
// updated, read and deleted (and the contact), and a 400 read as a JSON:API error document.
// It exits non-zero, saying what differed, on any unexpected status or body. CI runs it against
// `webapi serve --demo` (.ci/node/check live); see the README, section Clients.
//
//	go run ./examples/goclient -base http://127.0.0.1:8080 -client-id ID -client-secret SECRET
//
// The flags default to $WEBAPI_BASE, $WEBAPI_CLIENT_ID and $WEBAPI_CLIENT_SECRET.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"webapi/gen"
)

func main() {
	base := flag.String("base", os.Getenv("WEBAPI_BASE"), "the server's root URL, e.g. http://127.0.0.1:8080 ($WEBAPI_BASE)")
	id := flag.String("client-id", os.Getenv("WEBAPI_CLIENT_ID"), "OAuth client id ($WEBAPI_CLIENT_ID)")
	secret := flag.String("client-secret", os.Getenv("WEBAPI_CLIENT_SECRET"), "OAuth client secret ($WEBAPI_CLIENT_SECRET)")
	timeout := flag.Duration("timeout", time.Minute, "the longest the whole run may take")
	flag.Parse()
	if *base == "" || *id == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "goclient: -base, -client-id and -client-secret are required (or WEBAPI_BASE, WEBAPI_CLIENT_ID, WEBAPI_CLIENT_SECRET)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, strings.TrimRight(*base, "/"), *id, *secret); err != nil {
		fmt.Fprintln(os.Stderr, "goclient: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("goclient: every step passed")
}

// step reports a failed expectation with the response body, so a CI log shows what came back.
func step(name string, ok bool, status int, body []byte) error {
	if ok {
		fmt.Printf("ok   %s (%d)\n", name, status)
		return nil
	}
	return fmt.Errorf("%s: unexpected answer %d: %s", name, status, body)
}

func run(ctx context.Context, base, clientID, clientSecret string) error {
	// The token: client_credentials at <base>/oauth2-token, the credentials in the form body
	// (client_secret_post); the returned client adds "Authorization: Bearer …" to every request
	// and gets a new token when this one expires.
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret,
		TokenURL: base + "/oauth2-token", AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cc.Token(ctx)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	if tok.TokenType != "Bearer" || tok.AccessToken == "" {
		return fmt.Errorf("token: type %q, %d characters", tok.TokenType, len(tok.AccessToken))
	}
	fmt.Println("ok   token (client_credentials)")
	httpClient := cc.Client(ctx)
	httpClient.Timeout = 30 * time.Second
	client, err := gen.NewAPIClient(base, gen.WithHTTPClient(httpClient))
	if err != nil {
		return err
	}

	// A name no other record has, so that the filter below finds exactly this run's account.
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	marker := "goclient-" + hex.EncodeToString(b)

	contact, err := client.CreateContact(ctx, &gen.CreateContactParams{}, gen.ContactsCreateDocument{Data: gen.ContactsCreate{
		Type: gen.ContactsCreateTypeContacts,
		Attributes: gen.ContactsCreateAttributes{
			FirstName: nullable.NewNullableWithValue("Jane"), LastName: nullable.NewNullableWithValue(marker)},
	}})
	if err != nil {
		return fmt.Errorf("create a contact: %w", err)
	}
	if err := step("create a contact", contact.StatusCode() == http.StatusCreated && contact.ApplicationvndApiJSON201 != nil,
		contact.StatusCode(), contact.Body); err != nil {
		return err
	}
	contactID := contact.ApplicationvndApiJSON201.Data.Id

	// An account related to the contact: among its contacts and as its default contact.
	created, err := client.CreateAccount(ctx, &gen.CreateAccountParams{}, gen.AccountsCreateDocument{Data: gen.AccountsCreate{
		Type:       gen.AccountsCreateTypeAccounts,
		Attributes: gen.AccountsCreateAttributes{Name: marker + " Ltd", Description: nullable.NewNullableWithValue("made by examples/goclient")},
		Relationships: &gen.AccountsRelationships{
			Contacts: &gen.ContactsToMany{Data: &[]gen.ContactsIdentifier{{Type: gen.ContactsIdentifierTypeContacts, Id: contactID}}},
			DefaultContact: &gen.ContactsToOne{Data: nullable.NewNullableWithValue(
				gen.ContactsIdentifierOrNull{Type: gen.ContactsIdentifierOrNullTypeContacts, Id: contactID})},
		},
	}})
	if err != nil {
		return fmt.Errorf("create an account: %w", err)
	}
	if err := step("create an account with relationships", created.StatusCode() == http.StatusCreated && created.ApplicationvndApiJSON201 != nil,
		created.StatusCode(), created.Body); err != nil {
		return err
	}
	accountID := created.ApplicationvndApiJSON201.Data.Id

	// A list with a filter operator in bracket form and the contacts included.
	contains, include := gen.AccountsFilterNameContains(marker), gen.AccountsInclude("contacts")
	list, err := client.ListAccounts(ctx, &gen.ListAccountsParams{FilterNameContains: &contains, Include: &include})
	if err != nil {
		return fmt.Errorf("list accounts: %w", err)
	}
	ok := list.StatusCode() == http.StatusOK && list.ApplicationvndApiJSON200 != nil
	if ok {
		doc := list.ApplicationvndApiJSON200
		ok = len(doc.Data) == 1 && doc.Data[0].Id == accountID && doc.Included != nil &&
			len(*doc.Included) == 1 && (*doc.Included)[0].Type == "contacts" && (*doc.Included)[0].Id == contactID
	}
	if err := step("list accounts?filter[name][contains]=…&include=contacts: the account and its contact", ok, list.StatusCode(), list.Body); err != nil {
		return err
	}

	// An update: a new name, the description cleared (null), the contacts left alone.
	newName := marker + " Holdings"
	updated, err := client.UpdateAccount(ctx, accountID, &gen.UpdateAccountParams{}, gen.AccountsUpdateDocument{Data: gen.AccountsUpdate{
		Type: gen.AccountsUpdateTypeAccounts, Id: accountID,
		Attributes: &gen.AccountsAttributes{Name: &newName, Description: nullable.NewNullNullable[string]()},
	}})
	if err != nil {
		return fmt.Errorf("update the account: %w", err)
	}
	ok = updated.StatusCode() == http.StatusOK && updated.ApplicationvndApiJSON200 != nil
	if ok {
		a := updated.ApplicationvndApiJSON200.Data.Attributes
		ok = a != nil && a.Name != nil && *a.Name == newName && a.Description.IsNull()
	}
	if err := step("update the account", ok, updated.StatusCode(), updated.Body); err != nil {
		return err
	}

	// A read: the new name, and the default contact still set.
	got, err := client.GetAccount(ctx, accountID, &gen.GetAccountParams{})
	if err != nil {
		return fmt.Errorf("read the account: %w", err)
	}
	ok = got.StatusCode() == http.StatusOK && got.ApplicationvndApiJSON200 != nil
	if ok {
		d := got.ApplicationvndApiJSON200.Data
		ok = d.Id == accountID && d.Attributes != nil && d.Attributes.Name != nil && *d.Attributes.Name == newName &&
			d.Relationships != nil && d.Relationships.DefaultContact != nil
		if ok {
			dc, err := d.Relationships.DefaultContact.Data.Get()
			ok = err == nil && dc.Id == contactID
		}
	}
	if err := step("read the account", ok, got.StatusCode(), got.Body); err != nil {
		return err
	}

	// A 400: a filter value that is not an id. The answer is a JSON:API error document naming
	// the parameter.
	notAnID := gen.AccountsFilterId("not-a-number")
	bad, err := client.ListAccounts(ctx, &gen.ListAccountsParams{FilterId: &notAnID})
	if err != nil {
		return fmt.Errorf("list with an invalid filter: %w", err)
	}
	ok = bad.StatusCode() == http.StatusBadRequest && bad.ApplicationvndApiJSON400 != nil &&
		strings.HasPrefix(bad.HTTPResponse.Header.Get("Content-Type"), "application/vnd.api+json")
	if ok {
		errs := bad.ApplicationvndApiJSON400.Errors
		ok = len(errs) >= 1 && errs[0].Status == "400" && errs[0].Title != "" &&
			errs[0].Source != nil && errs[0].Source.Parameter != nil && *errs[0].Source.Parameter == "filter[id]"
	}
	if err := step("a 400 error document (filter[id]=not-a-number)", ok, bad.StatusCode(), bad.Body); err != nil {
		return err
	}

	// The batch API: a synchronous batch of two accounts (200, in request order, the first with
	// meta.dataId), then an asynchronous one that renames them (202), followed until it ends.
	sync, async := gen.BatchAccountsParamsXMode("sync"), gen.BatchAccountsParamsXMode("async")
	first := "first"
	batched, err := client.BatchAccounts(ctx, &gen.BatchAccountsParams{XMode: &sync}, gen.AccountsBatchDocument{Data: []gen.AccountsBatchItem{
		{Type: gen.AccountsBatchItemTypeAccounts, Id: &first, Attributes: &gen.AccountsAttributes{Name: ptr(marker + " batch 1")}},
		{Type: gen.AccountsBatchItemTypeAccounts, Attributes: &gen.AccountsAttributes{Name: ptr(marker + " batch 2")}},
	}})
	if err != nil {
		return fmt.Errorf("a synchronous batch: %w", err)
	}
	ok = batched.StatusCode() == http.StatusOK && batched.ApplicationvndApiJSON200 != nil
	var batchIDs []string
	if ok {
		d := batched.ApplicationvndApiJSON200.Data
		ok = len(d) == 2 && d[0].Meta != nil && d[0].Meta.DataId != nil && *d[0].Meta.DataId == "first" &&
			d[1].Attributes != nil && d[1].Attributes.Name != nil && *d[1].Attributes.Name == marker+" batch 2"
		for _, a := range d {
			batchIDs = append(batchIDs, a.Id)
		}
	}
	if err := step("a synchronous batch of two accounts", ok, batched.StatusCode(), batched.Body); err != nil {
		return err
	}
	update := true
	var renames []gen.AccountsBatchItem
	for i, id := range batchIDs {
		renames = append(renames, gen.AccountsBatchItem{Type: gen.AccountsBatchItemTypeAccounts, Id: ptr(id), Meta: &gen.RequestMeta{Update: &update},
			Attributes: &gen.AccountsAttributes{Name: ptr(fmt.Sprintf("%s renamed %d", marker, i+1))}})
	}
	queued, err := client.BatchAccounts(ctx, &gen.BatchAccountsParams{XMode: &async}, gen.AccountsBatchDocument{Data: renames})
	if err != nil {
		return fmt.Errorf("an asynchronous batch: %w", err)
	}
	if err := step("an asynchronous batch: 202 with the operation and Content-Location", queued.StatusCode() == http.StatusAccepted &&
		queued.ApplicationvndApiJSON202 != nil && queued.HTTPResponse.Header.Get("Content-Location") != "", queued.StatusCode(), queued.Body); err != nil {
		return err
	}
	opID := queued.ApplicationvndApiJSON202.Data.Id
	var op *gen.GetAsyncOperationResponse
	for range 100 {
		if op, err = client.GetAsyncOperation(ctx, opID, &gen.GetAsyncOperationParams{}); err != nil {
			return fmt.Errorf("read the operation: %w", err)
		}
		if a := op.ApplicationvndApiJSON200; a == nil || a.Data.Attributes == nil || a.Data.Attributes.Status == nil ||
			(*a.Data.Attributes.Status != "new" && *a.Data.Attributes.Status != "running") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	ok = op.StatusCode() == http.StatusOK && op.ApplicationvndApiJSON200 != nil && op.ApplicationvndApiJSON200.Data.Attributes != nil &&
		op.ApplicationvndApiJSON200.Data.Attributes.Status != nil && *op.ApplicationvndApiJSON200.Data.Attributes.Status == "success"
	if ok {
		sum, err := op.ApplicationvndApiJSON200.Data.Attributes.Summary.Get()
		ok = err == nil && sum.UpdateCount != nil && *sum.UpdateCount == 2 && sum.ErrorCount != nil && *sum.ErrorCount == 0
	}
	if err := step("the asynchronous batch ends success with two updates", ok, op.StatusCode(), op.Body); err != nil {
		return err
	}
	for _, id := range batchIDs {
		if del, err := client.DeleteAccount(ctx, id, &gen.DeleteAccountParams{}); err != nil || del.StatusCode() != http.StatusNoContent {
			return fmt.Errorf("delete the batch's account %s: %v", id, err)
		}
	}

	// Deletes: the account, then the contact; a read afterwards is a 404.
	del, err := client.DeleteAccount(ctx, accountID, &gen.DeleteAccountParams{})
	if err != nil {
		return fmt.Errorf("delete the account: %w", err)
	}
	if err := step("delete the account", del.StatusCode() == http.StatusNoContent, del.StatusCode(), del.Body); err != nil {
		return err
	}
	delContact, err := client.DeleteContact(ctx, contactID, &gen.DeleteContactParams{})
	if err != nil {
		return fmt.Errorf("delete the contact: %w", err)
	}
	if err := step("delete the contact", delContact.StatusCode() == http.StatusNoContent, delContact.StatusCode(), delContact.Body); err != nil {
		return err
	}
	gone, err := client.GetAccount(ctx, accountID, &gen.GetAccountParams{})
	if err != nil {
		return fmt.Errorf("read the deleted account: %w", err)
	}
	return step("the deleted account is gone", gone.StatusCode() == http.StatusNotFound && gone.ApplicationvndApiJSON404 != nil,
		gone.StatusCode(), gone.Body)
}

func ptr[T any](v T) *T { return &v }
