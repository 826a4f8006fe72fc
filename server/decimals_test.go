package server_test

// Decimals are stored, compared and returned exactly on every backend (api.md section 20): 15
// digits before the point and 4 after do not fit a float64, so a SQLite REAL would lose them.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"webapi/server/apitest"
)

func TestDecimalsAreExact(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		create(t, env, "products", cmProductBody("CHAIR-1", cmChairNames, ""))

		// 1 and 2 differ in the last digit only (one float64 apart is more than that); 9.5 and
		// 10 sort the other way round as text.
		big := cmPrice("1", "123456789012345.1234", "1.0000", "1", "USD")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices",
			Body: cmPriceBody("123456789012345.1234", "1", "1", "USD")}), "productprices", "1", itemDoc("/api/productprices/1", big))
		env.Do(apitest.Request{Path: "/api/productprices/1"}).Expect(t, 200, itemDoc("/api/productprices/1", big))
		for _, body := range []string{
			cmPriceBody("123456789012345.1233", "2", "1", "USD"), // 2
			cmPriceBody("0.0001", "0.5", "1", "USD"),             // 3
			cmPriceBody("9.5", "10", "1", "USD"),                 // 4
			cmPriceBody("0010.50", "100", "1", "USD"),            // 5: leading and trailing zeros
			cmPriceBody("999999999999999.9999", "0.0001", "1", "USD"),
		} {
			create(t, env, "productprices", body)
		}

		// values of the prices with these ids, in this order
		values := map[string]string{"1": "123456789012345.1234", "2": "123456789012345.1233", "3": "0.0001", "4": "9.5000",
			"5": "10.5000", "6": "999999999999999.9999"}
		quantities := map[string]string{"1": "1.0000", "2": "2.0000", "3": "0.5000", "4": "10.0000", "5": "100.0000", "6": "0.0001"}
		list := func(ids ...string) string {
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = fmt.Sprintf(`{"type":"productprices","id":%q,"attributes":{"value":%q,"quantity":%q}}`, id, values[id], quantities[id])
			}
			return `{"data":[` + strings.Join(parts, ",") + `]}`
		}
		get := func(query string, ids ...string) apiCase {
			return apiCase{name: query, req: apitest.Request{Path: "/api/productprices?fields[productprices]=value,quantity&" + query,
				Header: map[string]string{"X-Include": "noHateoas"}}, status: 200, want: list(ids...)}
		}
		runCases(t, env, []apiCase{
			get("filter[value]=123456789012345.1234", "1"),
			get("filter[value]=123456789012345.1233", "2"),
			get("filter[value]=123456789012345.12340", "1"),
			get("filter[value]=123456789012345.1235"),
			get("filter[value]=123456789012345.12"),
			get("filter[value]!=123456789012345.1234", "2", "3", "4", "5", "6"),
			get("filter[value][neq_or_null]=123456789012345.1233", "1", "3", "4", "5", "6"),
			get("filter[value]=9.5,10.5000,11", "4", "5"),
			get("filter[value]=9.5..123456789012345.1233", "2", "4", "5"),
			get("filter[value]=0.0001..10", "3", "4"),
			get("filter[value][gt]=123456789012345.1233", "1", "6"),
			get("filter[value][gte]=123456789012345.1233", "1", "2", "6"),
			get("filter[value][lt]=123456789012345.1234", "2", "3", "4", "5"),
			get("filter[value][lte]=10.5", "3", "4", "5"),
			get("filter[value]<10", "3", "4"),
			get("filter[value]>-1&filter[value]<0.001", "3"),
			get("filter[value][lte]=0.00010", "3"),
			get("filter[value][gt]=0.0000&filter[value][lt]=0.0002", "3"),
			get("filter[value][gt]=999999999999999.9999"),
			get("filter[value][lt]=999999999999999.9999", "1", "2", "3", "4", "5"),
			get("filter[quantity]=1.0", "1"),
			get("filter[quantity]=0.0001,100", "5", "6"),
			get("filter[quantity][gt]=2", "4", "5"),
			get("sort=value", "3", "4", "5", "2", "1", "6"),
			get("sort=-value", "6", "1", "2", "5", "4", "3"),
			get("sort=quantity", "6", "3", "1", "2", "4", "5"),
			get("sort=-quantity,value", "5", "4", "2", "1", "3", "6"),
			// values no price can hold are refused (api.md section 20), not compared
			{name: "more than 4 decimals", req: invalidRequest(apitest.Request{Path: "/api/productprices?filter[value][lt]=0.00005"}), status: 400,
				want: errorDoc(400, "range constraint", "This value should have at most 15 digits before and 4 digits after the decimal point.", atParam("filter[value][lt]"))},
			{name: "more than 15 digits", req: invalidRequest(apitest.Request{Path: "/api/productprices?filter[value][gt]=1000000000000000"}), status: 400,
				want: errorDoc(400, "range constraint", "This value should have at most 15 digits before and 4 digits after the decimal point.", atParam("filter[value][gt]"))},
		})

		// a product's price is the one for quantity 1, however the quantity was written
		env.Do(apitest.Request{Path: "/api/products/1?fields[products]=price", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"products","id":"1","attributes":{"price":{"value":"123456789012345.1234","currency":"USD"}}}}`)

		// quantity 1 and 1.0 are the same quantity
		duplicate := invalid(attrAt("quantity"), "unique entity constraint", "A price for this product, currency and quantity already exists.")
		post := func(body string) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: body}
		}
		runCases(t, env, []apiCase{
			{name: "quantity 1.0", req: post(cmPriceBody("5", "1.0", "1", "USD")), status: 400, want: errorsDoc(duplicate)},
			{name: "quantity 1.0000", req: post(cmPriceBody("5", "1.0000", "1", "USD")), status: 400, want: errorsDoc(duplicate)},
			{name: "default quantity", req: post(cmPriceBody("5", "", "1", "USD")), status: 400, want: errorsDoc(duplicate)},
			{name: "quantity 0.50 by update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/2",
				Body: `{"data":{"type":"productprices","id":"2","attributes":{"quantity":"0.50"}}}`}, status: 400, want: errorsDoc(duplicate)},
		})
		// a quantity that differs in the fourth decimal is another quantity
		expectCreated(t, env.Do(post(cmPriceBody("5", "1.0001", "1", "USD"))), "productprices",
			"7", itemDoc("/api/productprices/7", cmPrice("7", "5.0000", "1.0001", "1", "USD")))
	})
}
