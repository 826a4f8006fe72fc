package server

import (
	"github.com/labstack/echo/v4"

	"webapi/gen"
)

// The generated server interface has one method per operation of the document. Each hands the
// request to the engine with its resource type: the engine reads the query string and the body
// itself (the short filter forms are not key=value pairs), so the bound parameters are unused.

var _ gen.ServerInterface = (*handlers)(nil)

// DeleteAccounts serves DELETE /api/accounts.
func (h *handlers) DeleteAccounts(c echo.Context, _ gen.DeleteAccountsParams) error {
	return h.deleteList(c, "accounts")
}

// ListAccounts serves GET /api/accounts.
func (h *handlers) ListAccounts(c echo.Context, _ gen.ListAccountsParams) error {
	return h.list(c, "accounts")
}

// CreateAccount serves POST /api/accounts.
func (h *handlers) CreateAccount(c echo.Context, _ gen.CreateAccountParams) error {
	return h.create(c, "accounts")
}

// DeleteAccount serves DELETE /api/accounts/{id}.
func (h *handlers) DeleteAccount(c echo.Context, id gen.Id, _ gen.DeleteAccountParams) error {
	return h.delete(c, "accounts", id)
}

// GetAccount serves GET /api/accounts/{id}.
func (h *handlers) GetAccount(c echo.Context, id gen.Id, _ gen.GetAccountParams) error {
	return h.get(c, "accounts", id)
}

// UpdateAccount serves PATCH /api/accounts/{id}.
func (h *handlers) UpdateAccount(c echo.Context, id gen.Id, _ gen.UpdateAccountParams) error {
	return h.update(c, "accounts", id)
}

// ListAsyncOperations serves GET /api/asyncoperations.
func (h *handlers) ListAsyncOperations(c echo.Context, _ gen.ListAsyncOperationsParams) error {
	return h.list(c, "asyncoperations")
}

// GetAsyncOperation serves GET /api/asyncoperations/{id}.
func (h *handlers) GetAsyncOperation(c echo.Context, id gen.Id, _ gen.GetAsyncOperationParams) error {
	return h.get(c, "asyncoperations", id)
}

// DeleteBusinessUnits serves DELETE /api/businessunits.
func (h *handlers) DeleteBusinessUnits(c echo.Context, _ gen.DeleteBusinessUnitsParams) error {
	return h.deleteList(c, "businessunits")
}

// ListBusinessUnits serves GET /api/businessunits.
func (h *handlers) ListBusinessUnits(c echo.Context, _ gen.ListBusinessUnitsParams) error {
	return h.list(c, "businessunits")
}

// CreateBusinessUnit serves POST /api/businessunits.
func (h *handlers) CreateBusinessUnit(c echo.Context, _ gen.CreateBusinessUnitParams) error {
	return h.create(c, "businessunits")
}

// DeleteBusinessUnit serves DELETE /api/businessunits/{id}.
func (h *handlers) DeleteBusinessUnit(c echo.Context, id gen.Id, _ gen.DeleteBusinessUnitParams) error {
	return h.delete(c, "businessunits", id)
}

// GetBusinessUnit serves GET /api/businessunits/{id}.
func (h *handlers) GetBusinessUnit(c echo.Context, id gen.Id, _ gen.GetBusinessUnitParams) error {
	return h.get(c, "businessunits", id)
}

// UpdateBusinessUnit serves PATCH /api/businessunits/{id}.
func (h *handlers) UpdateBusinessUnit(c echo.Context, id gen.Id, _ gen.UpdateBusinessUnitParams) error {
	return h.update(c, "businessunits", id)
}

// DeleteCalls serves DELETE /api/calls.
func (h *handlers) DeleteCalls(c echo.Context, _ gen.DeleteCallsParams) error {
	return h.deleteList(c, "calls")
}

// ListCalls serves GET /api/calls.
func (h *handlers) ListCalls(c echo.Context, _ gen.ListCallsParams) error { return h.list(c, "calls") }

// CreateCall serves POST /api/calls.
func (h *handlers) CreateCall(c echo.Context, _ gen.CreateCallParams) error {
	return h.create(c, "calls")
}

// DeleteCall serves DELETE /api/calls/{id}.
func (h *handlers) DeleteCall(c echo.Context, id gen.Id, _ gen.DeleteCallParams) error {
	return h.delete(c, "calls", id)
}

// GetCall serves GET /api/calls/{id}.
func (h *handlers) GetCall(c echo.Context, id gen.Id, _ gen.GetCallParams) error {
	return h.get(c, "calls", id)
}

// UpdateCall serves PATCH /api/calls/{id}.
func (h *handlers) UpdateCall(c echo.Context, id gen.Id, _ gen.UpdateCallParams) error {
	return h.update(c, "calls", id)
}

// DeleteContacts serves DELETE /api/contacts.
func (h *handlers) DeleteContacts(c echo.Context, _ gen.DeleteContactsParams) error {
	return h.deleteList(c, "contacts")
}

// ListContacts serves GET /api/contacts.
func (h *handlers) ListContacts(c echo.Context, _ gen.ListContactsParams) error {
	return h.list(c, "contacts")
}

// CreateContact serves POST /api/contacts.
func (h *handlers) CreateContact(c echo.Context, _ gen.CreateContactParams) error {
	return h.create(c, "contacts")
}

// DeleteContact serves DELETE /api/contacts/{id}.
func (h *handlers) DeleteContact(c echo.Context, id gen.Id, _ gen.DeleteContactParams) error {
	return h.delete(c, "contacts", id)
}

// GetContact serves GET /api/contacts/{id}.
func (h *handlers) GetContact(c echo.Context, id gen.Id, _ gen.GetContactParams) error {
	return h.get(c, "contacts", id)
}

// UpdateContact serves PATCH /api/contacts/{id}.
func (h *handlers) UpdateContact(c echo.Context, id gen.Id, _ gen.UpdateContactParams) error {
	return h.update(c, "contacts", id)
}

// ListContactSources serves GET /api/contactsources.
func (h *handlers) ListContactSources(c echo.Context, _ gen.ListContactSourcesParams) error {
	return h.list(c, "contactsources")
}

// GetContactSource serves GET /api/contactsources/{id}.
func (h *handlers) GetContactSource(c echo.Context, id gen.Id, _ gen.GetContactSourceParams) error {
	return h.get(c, "contactsources", id)
}

// ListCountries serves GET /api/countries.
func (h *handlers) ListCountries(c echo.Context, _ gen.ListCountriesParams) error {
	return h.list(c, "countries")
}

// GetCountry serves GET /api/countries/{id}.
func (h *handlers) GetCountry(c echo.Context, id gen.Id, _ gen.GetCountryParams) error {
	return h.get(c, "countries", id)
}

// ListCurrencies serves GET /api/currencies.
func (h *handlers) ListCurrencies(c echo.Context, _ gen.ListCurrenciesParams) error {
	return h.list(c, "currencies")
}

// GetCurrency serves GET /api/currencies/{id}.
func (h *handlers) GetCurrency(c echo.Context, id gen.Id, _ gen.GetCurrencyParams) error {
	return h.get(c, "currencies", id)
}

// DeleteLocalizations serves DELETE /api/localizations.
func (h *handlers) DeleteLocalizations(c echo.Context, _ gen.DeleteLocalizationsParams) error {
	return h.deleteList(c, "localizations")
}

// ListLocalizations serves GET /api/localizations.
func (h *handlers) ListLocalizations(c echo.Context, _ gen.ListLocalizationsParams) error {
	return h.list(c, "localizations")
}

// CreateLocalization serves POST /api/localizations.
func (h *handlers) CreateLocalization(c echo.Context, _ gen.CreateLocalizationParams) error {
	return h.create(c, "localizations")
}

// DeleteLocalization serves DELETE /api/localizations/{id}.
func (h *handlers) DeleteLocalization(c echo.Context, id gen.Id, _ gen.DeleteLocalizationParams) error {
	return h.delete(c, "localizations", id)
}

// GetLocalization serves GET /api/localizations/{id}.
func (h *handlers) GetLocalization(c echo.Context, id gen.Id, _ gen.GetLocalizationParams) error {
	return h.get(c, "localizations", id)
}

// UpdateLocalization serves PATCH /api/localizations/{id}.
func (h *handlers) UpdateLocalization(c echo.Context, id gen.Id, _ gen.UpdateLocalizationParams) error {
	return h.update(c, "localizations", id)
}

// DeleteOrganizations serves DELETE /api/organizations.
func (h *handlers) DeleteOrganizations(c echo.Context, _ gen.DeleteOrganizationsParams) error {
	return h.deleteList(c, "organizations")
}

// ListOrganizations serves GET /api/organizations.
func (h *handlers) ListOrganizations(c echo.Context, _ gen.ListOrganizationsParams) error {
	return h.list(c, "organizations")
}

// CreateOrganization serves POST /api/organizations.
func (h *handlers) CreateOrganization(c echo.Context, _ gen.CreateOrganizationParams) error {
	return h.create(c, "organizations")
}

// DeleteOrganization serves DELETE /api/organizations/{id}.
func (h *handlers) DeleteOrganization(c echo.Context, id gen.Id, _ gen.DeleteOrganizationParams) error {
	return h.delete(c, "organizations", id)
}

// GetOrganization serves GET /api/organizations/{id}.
func (h *handlers) GetOrganization(c echo.Context, id gen.Id, _ gen.GetOrganizationParams) error {
	return h.get(c, "organizations", id)
}

// UpdateOrganization serves PATCH /api/organizations/{id}.
func (h *handlers) UpdateOrganization(c echo.Context, id gen.Id, _ gen.UpdateOrganizationParams) error {
	return h.update(c, "organizations", id)
}

// DeleteProductPrices serves DELETE /api/productprices.
func (h *handlers) DeleteProductPrices(c echo.Context, _ gen.DeleteProductPricesParams) error {
	return h.deleteList(c, "productprices")
}

// ListProductPrices serves GET /api/productprices.
func (h *handlers) ListProductPrices(c echo.Context, _ gen.ListProductPricesParams) error {
	return h.list(c, "productprices")
}

// CreateProductPrice serves POST /api/productprices.
func (h *handlers) CreateProductPrice(c echo.Context, _ gen.CreateProductPriceParams) error {
	return h.create(c, "productprices")
}

// DeleteProductPrice serves DELETE /api/productprices/{id}.
func (h *handlers) DeleteProductPrice(c echo.Context, id gen.Id, _ gen.DeleteProductPriceParams) error {
	return h.delete(c, "productprices", id)
}

// GetProductPrice serves GET /api/productprices/{id}.
func (h *handlers) GetProductPrice(c echo.Context, id gen.Id, _ gen.GetProductPriceParams) error {
	return h.get(c, "productprices", id)
}

// UpdateProductPrice serves PATCH /api/productprices/{id}.
func (h *handlers) UpdateProductPrice(c echo.Context, id gen.Id, _ gen.UpdateProductPriceParams) error {
	return h.update(c, "productprices", id)
}

// DeleteProducts serves DELETE /api/products.
func (h *handlers) DeleteProducts(c echo.Context, _ gen.DeleteProductsParams) error {
	return h.deleteList(c, "products")
}

// ListProducts serves GET /api/products.
func (h *handlers) ListProducts(c echo.Context, _ gen.ListProductsParams) error {
	return h.list(c, "products")
}

// CreateProduct serves POST /api/products.
func (h *handlers) CreateProduct(c echo.Context, _ gen.CreateProductParams) error {
	return h.create(c, "products")
}

// DeleteProduct serves DELETE /api/products/{id}.
func (h *handlers) DeleteProduct(c echo.Context, id gen.Id, _ gen.DeleteProductParams) error {
	return h.delete(c, "products", id)
}

// GetProduct serves GET /api/products/{id}.
func (h *handlers) GetProduct(c echo.Context, id gen.Id, _ gen.GetProductParams) error {
	return h.get(c, "products", id)
}

// UpdateProduct serves PATCH /api/products/{id}.
func (h *handlers) UpdateProduct(c echo.Context, id gen.Id, _ gen.UpdateProductParams) error {
	return h.update(c, "products", id)
}

// ListRegions serves GET /api/regions.
func (h *handlers) ListRegions(c echo.Context, _ gen.ListRegionsParams) error {
	return h.list(c, "regions")
}

// GetRegion serves GET /api/regions/{id}.
func (h *handlers) GetRegion(c echo.Context, id gen.Id, _ gen.GetRegionParams) error {
	return h.get(c, "regions", id)
}

// DeleteTaxJurisdictions serves DELETE /api/taxjurisdictions.
func (h *handlers) DeleteTaxJurisdictions(c echo.Context, _ gen.DeleteTaxJurisdictionsParams) error {
	return h.deleteList(c, "taxjurisdictions")
}

// ListTaxJurisdictions serves GET /api/taxjurisdictions.
func (h *handlers) ListTaxJurisdictions(c echo.Context, _ gen.ListTaxJurisdictionsParams) error {
	return h.list(c, "taxjurisdictions")
}

// CreateTaxJurisdiction serves POST /api/taxjurisdictions.
func (h *handlers) CreateTaxJurisdiction(c echo.Context, _ gen.CreateTaxJurisdictionParams) error {
	return h.create(c, "taxjurisdictions")
}

// DeleteTaxJurisdiction serves DELETE /api/taxjurisdictions/{id}.
func (h *handlers) DeleteTaxJurisdiction(c echo.Context, id gen.Id, _ gen.DeleteTaxJurisdictionParams) error {
	return h.delete(c, "taxjurisdictions", id)
}

// GetTaxJurisdiction serves GET /api/taxjurisdictions/{id}.
func (h *handlers) GetTaxJurisdiction(c echo.Context, id gen.Id, _ gen.GetTaxJurisdictionParams) error {
	return h.get(c, "taxjurisdictions", id)
}

// UpdateTaxJurisdiction serves PATCH /api/taxjurisdictions/{id}.
func (h *handlers) UpdateTaxJurisdiction(c echo.Context, id gen.Id, _ gen.UpdateTaxJurisdictionParams) error {
	return h.update(c, "taxjurisdictions", id)
}

// DeleteUserRoles serves DELETE /api/userroles.
func (h *handlers) DeleteUserRoles(c echo.Context, _ gen.DeleteUserRolesParams) error {
	return h.deleteList(c, "userroles")
}

// ListUserRoles serves GET /api/userroles.
func (h *handlers) ListUserRoles(c echo.Context, _ gen.ListUserRolesParams) error {
	return h.list(c, "userroles")
}

// CreateUserRole serves POST /api/userroles.
func (h *handlers) CreateUserRole(c echo.Context, _ gen.CreateUserRoleParams) error {
	return h.create(c, "userroles")
}

// DeleteUserRole serves DELETE /api/userroles/{id}.
func (h *handlers) DeleteUserRole(c echo.Context, id gen.Id, _ gen.DeleteUserRoleParams) error {
	return h.delete(c, "userroles", id)
}

// GetUserRole serves GET /api/userroles/{id}.
func (h *handlers) GetUserRole(c echo.Context, id gen.Id, _ gen.GetUserRoleParams) error {
	return h.get(c, "userroles", id)
}

// UpdateUserRole serves PATCH /api/userroles/{id}.
func (h *handlers) UpdateUserRole(c echo.Context, id gen.Id, _ gen.UpdateUserRoleParams) error {
	return h.update(c, "userroles", id)
}

// DeleteUsers serves DELETE /api/users.
func (h *handlers) DeleteUsers(c echo.Context, _ gen.DeleteUsersParams) error {
	return h.deleteList(c, "users")
}

// ListUsers serves GET /api/users.
func (h *handlers) ListUsers(c echo.Context, _ gen.ListUsersParams) error { return h.list(c, "users") }

// CreateUser serves POST /api/users.
func (h *handlers) CreateUser(c echo.Context, _ gen.CreateUserParams) error {
	return h.create(c, "users")
}

// DeleteUser serves DELETE /api/users/{id}.
func (h *handlers) DeleteUser(c echo.Context, id gen.Id, _ gen.DeleteUserParams) error {
	return h.delete(c, "users", id)
}

// GetUser serves GET /api/users/{id}.
func (h *handlers) GetUser(c echo.Context, id gen.Id, _ gen.GetUserParams) error {
	return h.get(c, "users", id)
}

// UpdateUser serves PATCH /api/users/{id}.
func (h *handlers) UpdateUser(c echo.Context, id gen.Id, _ gen.UpdateUserParams) error {
	return h.update(c, "users", id)
}

// DeleteWeightUnits serves DELETE /api/weightunits.
func (h *handlers) DeleteWeightUnits(c echo.Context, _ gen.DeleteWeightUnitsParams) error {
	return h.deleteList(c, "weightunits")
}

// ListWeightUnits serves GET /api/weightunits.
func (h *handlers) ListWeightUnits(c echo.Context, _ gen.ListWeightUnitsParams) error {
	return h.list(c, "weightunits")
}

// CreateWeightUnit serves POST /api/weightunits.
func (h *handlers) CreateWeightUnit(c echo.Context, _ gen.CreateWeightUnitParams) error {
	return h.create(c, "weightunits")
}

// DeleteWeightUnit serves DELETE /api/weightunits/{id}.
func (h *handlers) DeleteWeightUnit(c echo.Context, id gen.Id, _ gen.DeleteWeightUnitParams) error {
	return h.delete(c, "weightunits", id)
}

// GetWeightUnit serves GET /api/weightunits/{id}.
func (h *handlers) GetWeightUnit(c echo.Context, id gen.Id, _ gen.GetWeightUnitParams) error {
	return h.get(c, "weightunits", id)
}

// UpdateWeightUnit serves PATCH /api/weightunits/{id}.
func (h *handlers) UpdateWeightUnit(c echo.Context, id gen.Id, _ gen.UpdateWeightUnitParams) error {
	return h.update(c, "weightunits", id)
}
