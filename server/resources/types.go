package resources

import (
	"webapi/store/query"
)

// Declarations lists every resource type the API serves. The order is the order of the
// sandbox's resource list.
func Declarations() []*Decl {
	return []*Decl{
		{Type: "organizations", Table: "organizations", Title: titleOf("name")},
		{Type: "businessunits", Table: "business_units", Owner: OrganizationOwned, Title: titleOf("name"),
			Links:  map[string]query.Link{"users": {Table: "user_business_units", Own: "business_unit_id", Other: "user_id"}},
			Before: noCycle("parentBusinessUnit", "business_units", "parent_business_unit_id")},
		{Type: "userroles", Table: "user_roles", Owner: OrganizationOwned, AnyOrganization: true, Title: titleOf("label"),
			Links:  map[string]query.Link{"users": {Table: "user_user_roles", Own: "user_role_id", Other: "user_id"}},
			Before: checkPermissions},
		{Type: "users", Table: "users", Owner: BusinessUnitOwned, Title: userTitle,
			Links: map[string]query.Link{
				"roles":         {Table: "user_user_roles", Own: "user_id", Other: "user_role_id"},
				"businessUnits": {Table: "user_business_units", Own: "user_id", Other: "business_unit_id"},
			},
			Search: searchText("username", "email", "firstName", "lastName"),
			Before: hashPassword},
		{Type: "accounts", Table: "accounts", Owner: UserOwned, Title: titleOf("name"),
			Links:  map[string]query.Link{"contacts": {Table: "account_contacts", Own: "account_id", Other: "contact_id"}},
			After:  defaultContactJoins,
			Search: append(searchText("name", "description"), SearchField{"timesContacted", SearchInteger}, SearchField{"createdAt", SearchDateTime})},
		{Type: "contacts", Table: "contacts", Owner: UserOwned, Title: contactTitle,
			Links: map[string]query.Link{
				"accounts": {Table: "account_contacts", Own: "contact_id", Other: "account_id"},
				"calls":    {Table: "calls", Own: "contact_id", Other: "id"},
			},
			Before: contactNameRule,
			Search: append(searchText("firstName", "lastName", "primaryEmail", "primaryPhone", "jobTitle"),
				SearchField{"timesContacted", SearchInteger}, SearchField{"birthday", SearchDateTime})},
		{Type: "contactsources", Table: "contact_sources", IDs: Code, Title: titleOf("name")},
		{Type: "calls", Table: "calls", Owner: UserOwned, Title: titleOf("subject"),
			Before: rememberCallLinks, After: recomputeCommunication,
			Search: append(searchText("subject", "phoneNumber", "notes"), SearchField{"callDateTime", SearchDateTime})},
		{Type: "localizations", Table: "localizations", Title: titleOf("name"),
			Columns: map[string]string{"default": "is_default"},
			Before:  noCycle("parentLocalization", "localizations", "parent_localization_id")},
		{Type: "currencies", Table: "currencies", IDs: Code, Title: titleOf("name")},
		{Type: "countries", Table: "countries", IDs: Code, Title: titleOf("name"),
			Links: map[string]query.Link{"regions": {Table: "regions", Own: "country_id", Other: "id"}}},
		{Type: "regions", Table: "regions", IDs: Code, Title: titleOf("name")},
		{Type: "products", Table: "products", Owner: BusinessUnitOwned, Title: productTitle, UniqueScope: "organization_id",
			Links: map[string]query.Link{"prices": {Table: "product_prices", Own: "product_id", Other: "id"}},
			Computed: map[string]Computed{
				// name is derived from names in Go (see deriveProduct); the column only holds its place
				"name":  {SQL: constSQL("NULL"), Type: query.Text},
				"price": {SQL: productPriceSQL, Type: query.Decimal, Args: currencyArg},
			},
			Derive: deriveProduct, Prepare: prepareProduct, Before: checkProductNames,
			Search: searchText("sku", "names")},
		// prices belong to their product's organization (set by productPriceRules), with no relationship of their own
		{Type: "productprices", Table: "product_prices", Owner: OrganizationOwned, Before: productPriceRules},
		{Type: "weightunits", Table: "weight_units", IDs: ClientCode},
		{Type: "taxjurisdictions", Table: "tax_jurisdictions", Title: titleOf("code"), Before: taxJurisdictionRules},
		{Type: "asyncoperations", Table: "async_operations", Owner: UserOwned, OwnerOnly: true,
			Subresources: map[string]string{"errors": "asyncoperationerrors"},
			Links:        map[string]query.Link{"errors": {Table: "async_operation_errors", Own: "operation_id", Other: "id"}}},
		// reachable only through its operation, whose visibility the engine checks first
		{Type: "asyncoperationerrors", Table: "async_operation_errors", IDs: Code, Owner: Global, Through: "asyncoperations",
			Order: []query.Order{{SQL: "t.chunk", NotNull: true}, {SQL: "t.n", NotNull: true}}},
	}
}
