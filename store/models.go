package store

// Models: one plain struct per table, with explicit column tags and no GORM associations (the
// server loads related rows itself, one query per include path). Nullable columns are pointers,
// except json columns, whose JSON type stands for NULL when empty.
//
// Time representation. The datetime columns are TIMESTAMPTZ on PostgreSQL but fixed-width UTC
// text ('2006-01-02 15:04:05.000000') on SQLite, which has no time type and whose driver would
// otherwise write a variable-width format with a zone suffix that does not sort
// chronologically. The models therefore use two small types instead of time.Time:
//
//   - Time (datetime columns) asks GORM for the dialect when it is written (gorm.Valuer) and
//     writes a UTC time.Time on PostgreSQL or the text form on SQLite; it reads either.
//     GORM fills CreatedAt/UpdatedAt with it as with time.Time (times are UTC, microseconds).
//   - Date (date columns) is always written as 'YYYY-MM-DD', which both databases accept.
//
// Plain time.Time values are fine as arguments of GORM statements on datetime columns
// (Where, Raw, Exec, Updates with a map, and the updated_at GORM sets by itself): on SQLite the
// dialector that Open installs rewrites every bound time.Time into the text form. Date columns
// need DB.DateValue (a time.Time would be written as a datetime), and code that runs SQL on the
// *sql.DB directly converts with DB.TimeValue. Values scanned without a model (into any) are
// time.Time on PostgreSQL and strings on SQLite: DB.ParseTime reads both.
//
// Decimal representation. Decimal columns are NUMERIC(19,4) on PostgreSQL and TEXT holding the
// canonical form ("12.5000") on SQLite (decimal.go). The models use shopspring's
// decimal.Decimal, which reads both; the SQLite dialector writes every bound decimal.Decimal in
// the canonical form. Comparing or sorting decimal columns in SQL needs DB.DecimalKey (text
// does not compare as numbers).

import "github.com/shopspring/decimal"

// Timestamps are the created_at / updated_at columns every table with an id has. GORM sets them
// on Create and Save (updated_at also on Updates) when they are zero.
type Timestamps struct {
	CreatedAt Time `gorm:"column:created_at"`
	UpdatedAt Time `gorm:"column:updated_at"`
}

// Communication holds the columns accounts and contacts derive from their calls; they are
// maintained by RecomputeCommunication, never written directly.
type Communication struct {
	LastContactedDate    *Time `gorm:"column:last_contacted_date"`
	LastContactedDateIn  *Time `gorm:"column:last_contacted_date_in"`
	LastContactedDateOut *Time `gorm:"column:last_contacted_date_out"`
	TimesContacted       int64 `gorm:"column:times_contacted"`
	TimesContactedIn     int64 `gorm:"column:times_contacted_in"`
	TimesContactedOut    int64 `gorm:"column:times_contacted_out"`
}

// Organization is a row of organizations.
type Organization struct {
	ID          int64   `gorm:"column:id;primaryKey"`
	Name        string  `gorm:"column:name"`
	Description *string `gorm:"column:description"`
	Enabled     bool    `gorm:"column:enabled"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Organization) TableName() string { return "organizations" }

// BusinessUnit is a row of business_units.
type BusinessUnit struct {
	ID                   int64   `gorm:"column:id;primaryKey"`
	Name                 string  `gorm:"column:name"`
	Phone                *string `gorm:"column:phone"`
	Email                *string `gorm:"column:email"`
	Website              *string `gorm:"column:website"`
	OrganizationID       int64   `gorm:"column:organization_id"`
	ParentBusinessUnitID *int64  `gorm:"column:parent_business_unit_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (BusinessUnit) TableName() string { return "business_units" }

// UserRole is a row of user_roles. Permissions is a JSON object
// {"<type>": {"VIEW": level, "CREATE": level, "EDIT": level, "DELETE": level}}.
type UserRole struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	Role           string  `gorm:"column:role"`
	Label          string  `gorm:"column:label"`
	Description    *string `gorm:"column:description"`
	Permissions    JSON    `gorm:"column:permissions"`
	OrganizationID *int64  `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (UserRole) TableName() string { return "user_roles" }

// User is a row of users. Password holds the bcrypt hash, never the password.
type User struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	Username       string  `gorm:"column:username"`
	Email          string  `gorm:"column:email"`
	NamePrefix     *string `gorm:"column:name_prefix"`
	FirstName      *string `gorm:"column:first_name"`
	MiddleName     *string `gorm:"column:middle_name"`
	LastName       *string `gorm:"column:last_name"`
	NameSuffix     *string `gorm:"column:name_suffix"`
	Title          *string `gorm:"column:title"`
	Birthday       *Date   `gorm:"column:birthday"`
	Enabled        bool    `gorm:"column:enabled"`
	Password       *string `gorm:"column:password"`
	LastLogin      *Time   `gorm:"column:last_login"`
	LoginCount     int64   `gorm:"column:login_count"`
	OwnerID        int64   `gorm:"column:owner_id"`
	OrganizationID int64   `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (User) TableName() string { return "users" }

// UserUserRole is a row of user_user_roles: user UserID has role UserRoleID.
type UserUserRole struct {
	UserID     int64 `gorm:"column:user_id;primaryKey;autoIncrement:false"`
	UserRoleID int64 `gorm:"column:user_role_id;primaryKey;autoIncrement:false"`
}

// TableName implements gorm's Tabler.
func (UserUserRole) TableName() string { return "user_user_roles" }

// UserBusinessUnit is a row of user_business_units: user UserID is a member of the unit.
type UserBusinessUnit struct {
	UserID         int64 `gorm:"column:user_id;primaryKey;autoIncrement:false"`
	BusinessUnitID int64 `gorm:"column:business_unit_id;primaryKey;autoIncrement:false"`
}

// TableName implements gorm's Tabler.
func (UserBusinessUnit) TableName() string { return "user_business_units" }

// Account is a row of accounts.
type Account struct {
	ID               int64   `gorm:"column:id;primaryKey"`
	Name             string  `gorm:"column:name"`
	Description      *string `gorm:"column:description"`
	DefaultContactID *int64  `gorm:"column:default_contact_id"`
	OwnerID          int64   `gorm:"column:owner_id"`
	OrganizationID   int64   `gorm:"column:organization_id"`
	Communication
	Timestamps
}

// TableName implements gorm's Tabler.
func (Account) TableName() string { return "accounts" }

// Contact is a row of contacts. Gender is "male", "female" or nil.
type Contact struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	NamePrefix     *string `gorm:"column:name_prefix"`
	FirstName      *string `gorm:"column:first_name"`
	MiddleName     *string `gorm:"column:middle_name"`
	LastName       *string `gorm:"column:last_name"`
	NameSuffix     *string `gorm:"column:name_suffix"`
	Gender         *string `gorm:"column:gender"`
	Birthday       *Date   `gorm:"column:birthday"`
	JobTitle       *string `gorm:"column:job_title"`
	Description    *string `gorm:"column:description"`
	PrimaryEmail   *string `gorm:"column:primary_email"`
	PrimaryPhone   *string `gorm:"column:primary_phone"`
	SourceID       *string `gorm:"column:source_id"`
	OwnerID        int64   `gorm:"column:owner_id"`
	OrganizationID int64   `gorm:"column:organization_id"`
	Communication
	Timestamps
}

// TableName implements gorm's Tabler.
func (Contact) TableName() string { return "contacts" }

// AccountContact is a row of account_contacts: the contact belongs to the account.
type AccountContact struct {
	AccountID int64 `gorm:"column:account_id;primaryKey;autoIncrement:false"`
	ContactID int64 `gorm:"column:contact_id;primaryKey;autoIncrement:false"`
}

// TableName implements gorm's Tabler.
func (AccountContact) TableName() string { return "account_contacts" }

// ContactSource is a row of contact_sources (fixed reference data).
type ContactSource struct {
	ID   string  `gorm:"column:id;primaryKey"`
	Name *string `gorm:"column:name"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (ContactSource) TableName() string { return "contact_sources" }

// Call directions.
const (
	DirectionIncoming = "incoming"
	DirectionOutgoing = "outgoing"
)

// Call is a row of calls. Duration is in seconds.
type Call struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	Subject        string  `gorm:"column:subject"`
	PhoneNumber    *string `gorm:"column:phone_number"`
	Notes          *string `gorm:"column:notes"`
	CallDateTime   Time    `gorm:"column:call_date_time"`
	Direction      string  `gorm:"column:direction"`
	Duration       *int64  `gorm:"column:duration"`
	ContactID      *int64  `gorm:"column:contact_id"`
	AccountID      *int64  `gorm:"column:account_id"`
	OwnerID        int64   `gorm:"column:owner_id"`
	OrganizationID int64   `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Call) TableName() string { return "calls" }

// Localization is a row of localizations.
type Localization struct {
	ID                   int64  `gorm:"column:id;primaryKey"`
	Name                 string `gorm:"column:name"`
	LanguageCode         string `gorm:"column:language_code"`
	FormattingCode       string `gorm:"column:formatting_code"`
	IsDefault            bool   `gorm:"column:is_default"`
	ParentLocalizationID *int64 `gorm:"column:parent_localization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Localization) TableName() string { return "localizations" }

// Currency is a row of currencies; the id is the ISO 4217 code.
type Currency struct {
	ID     string  `gorm:"column:id;primaryKey"`
	Name   *string `gorm:"column:name"`
	Symbol *string `gorm:"column:symbol"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Currency) TableName() string { return "currencies" }

// Country is a row of countries; the id is the ISO 3166-1 alpha-2 code.
type Country struct {
	ID       string  `gorm:"column:id;primaryKey"`
	Name     *string `gorm:"column:name"`
	ISO3Code *string `gorm:"column:iso3_code"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Country) TableName() string { return "countries" }

// Region is a row of regions; the id is "<country>-<code>".
type Region struct {
	ID        string  `gorm:"column:id;primaryKey"`
	Name      *string `gorm:"column:name"`
	Code      *string `gorm:"column:code"`
	CountryID string  `gorm:"column:country_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Region) TableName() string { return "regions" }

// Product statuses.
const (
	ProductEnabled  = "enabled"
	ProductDisabled = "disabled"
)

// LocalizedValue is one entry of a localized JSON array such as products.names. Localization
// is the localization id as a string, nil for the default value.
type LocalizedValue struct {
	Localization *string `json:"localization"`
	Value        string  `json:"value"`
}

// Product is a row of products. Names holds a JSON array of LocalizedValue.
type Product struct {
	ID             int64  `gorm:"column:id;primaryKey"`
	SKU            string `gorm:"column:sku"`
	Names          JSON   `gorm:"column:names"`
	Status         string `gorm:"column:status;default:enabled"` // empty: the column default
	OwnerID        int64  `gorm:"column:owner_id"`
	OrganizationID int64  `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (Product) TableName() string { return "products" }

// ProductPrice is a row of product_prices. Value and Quantity are exact on both databases
// (NUMERIC(19,4), or canonical text on SQLite: see decimal.go).
type ProductPrice struct {
	ID             int64           `gorm:"column:id;primaryKey"`
	Value          decimal.Decimal `gorm:"column:value"`
	Quantity       decimal.Decimal `gorm:"column:quantity"`
	ProductID      int64           `gorm:"column:product_id"`
	CurrencyID     string          `gorm:"column:currency_id"`
	OrganizationID int64           `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (ProductPrice) TableName() string { return "product_prices" }

// WeightUnit is a row of weight_units; the id is a code chosen by the client.
// ConversionRates is a JSON object of code → number.
type WeightUnit struct {
	ID              string `gorm:"column:id;primaryKey"`
	ConversionRates JSON   `gorm:"column:conversion_rates"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (WeightUnit) TableName() string { return "weight_units" }

// TaxJurisdiction is a row of tax_jurisdictions. ZipCodes is a JSON array of
// {"from": string, "to": string or null}.
type TaxJurisdiction struct {
	ID          int64   `gorm:"column:id;primaryKey"`
	Code        string  `gorm:"column:code"`
	Description *string `gorm:"column:description"`
	RegionText  *string `gorm:"column:region_text"`
	ZipCodes    JSON    `gorm:"column:zip_codes"`
	CountryID   string  `gorm:"column:country_id"`
	RegionID    *string `gorm:"column:region_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (TaxJurisdiction) TableName() string { return "tax_jurisdictions" }

// Async operation statuses.
const (
	AsyncNew       = "new"
	AsyncRunning   = "running"
	AsyncSuccess   = "success"
	AsyncFailed    = "failed"
	AsyncCancelled = "cancelled"
)

// AsyncOperation is a row of async_operations. Progress is a fraction 0..1 (nil before the
// start), ElapsedTime whole seconds; Summary and Request are JSON documents.
type AsyncOperation struct {
	ID             int64            `gorm:"column:id;primaryKey"`
	Status         string           `gorm:"column:status;default:new"` // empty: the column default
	Progress       *decimal.Decimal `gorm:"column:progress"`
	ElapsedTime    int64            `gorm:"column:elapsed_time"`
	EntityType     string           `gorm:"column:entity_type"`
	Summary        JSON             `gorm:"column:summary"`
	Request        JSON             `gorm:"column:request"`
	OwnerID        int64            `gorm:"column:owner_id"`
	OrganizationID int64            `gorm:"column:organization_id"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (AsyncOperation) TableName() string { return "async_operations" }
