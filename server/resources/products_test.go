package resources

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"webapi/gen"
	"webapi/server/auth"
	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/storetest"
)

// A product's name is looked up along the localization chain, read before the products. When
// that read fails, the read of the products fails with its error (translated as any error of
// the store), instead of rendering every product with its default name.
func TestLocalizationChainReadErrorFailsTheRead(t *testing.T) {
	t.Parallel()
	spec, err := LoadSpec(gen.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, b)
			schema, st, err := New(db, spec, jsonapi.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			products := schema.Resource("products")
			product := store.Product{SKU: "CHAIR-1", OwnerID: 1, OrganizationID: 1,
				Names: store.MustJSON([]store.LocalizedValue{{Value: "Chair"}, {Localization: ptr("1"), Value: "Chair (en)"}})}
			if err := db.Gorm.Create(&product).Error; err != nil {
				t.Fatal(err)
			}
			// names reads the products as a request (with the request's locale) would
			names := func() ([]string, error) {
				admin, err := auth.Load(context.Background(), db, auth.Identity{UserID: 1})
				if err != nil {
					t.Fatal(err)
				}
				ctx, err := WithLocale(auth.With(context.Background(), admin), db, httptest.NewRequest("GET", "/api/products", nil))
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				err = st.Find(ctx, &jsonapi.Query{Resource: products, Limit: -1}, func(rec *jsonapi.Record) bool {
					out = append(out, rec.Values[products.AttrIndex("name")].(string))
					return true
				})
				return out, err
			}
			if got, err := names(); err != nil || len(got) != 1 || got[0] != "Chair (en)" {
				t.Fatalf("names %q, error %v; want the name of the default localization", got, err)
			}
			// the chain cannot be read any more
			if err := db.Gorm.Exec("ALTER TABLE localizations RENAME COLUMN is_default TO was_default").Error; err != nil {
				t.Fatal(err)
			}
			got, err := names()
			if err == nil {
				t.Fatalf("names %q and no error: the read error of the localization chain was swallowed", got)
			}
			var api *jsonapi.Error
			if errors.As(err, &api) {
				t.Fatalf("error %v: a broken query is no client error", err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
