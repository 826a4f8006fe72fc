package jsonapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Bounds of values and of responses (api.md section 20) that more than one part of the engine
// applies. The bounds on query parameters are in query.go (Limits), text in text.go.

// lastInstant is the last date-time the API stores: dates and date-times lie in the years
// 0001-9999, which both databases store and compare exactly.
var lastInstant = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// storableTime reports whether t lies in the years 0001-9999 once converted to UTC
// (9999-12-31T23:59:59-01:00 is in year 10000).
func storableTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// timeRangeError is the error of a date (k Date) or date-time outside the years 0001-9999.
func timeRangeError(ptr string, k Kind) *Error {
	if k == Date {
		return Invalid(ptr, TitleRange, "This value should be between 0001-01-01 and 9999-12-31.")
	}
	return Invalid(ptr, TitleRange, "This value should be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.")
}

// decimalFits reports whether a decimal (isDecimal) has at most 15 digits before the point
// (leading zeros aside) and 4 after: what every backend stores and compares exactly.
func decimalFits(s string) bool {
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	return len(strings.TrimLeft(whole, "0")) <= 15 && len(frac) <= 4
}

func decimalRangeError(ptr string) *Error {
	return Invalid(ptr, TitleRange, "This value should have at most 15 digits before and 4 digits after the decimal point.")
}

// tooLong is the error of a string (or an id) longer than max characters.
func tooLong(ptr string, max int) *Error {
	return Invalid(ptr, TitleLength, fmt.Sprintf("This value is too long. It should have %d character%s or less.", max, plural(max)))
}

// capErrors keeps the first max errors of a list and adds one more that says how many were left
// out, with the status of the whole list: a response stays small whatever the request.
func capErrors(err error, max int) error {
	var errs Errors
	if !errors.As(err, &errs) || len(errs) <= max {
		return err
	}
	kept := append(Errors{}, errs[:max]...)
	return append(kept, &Error{Status: errs.Status(), Title: TitleTooManyErrors,
		Detail: fmt.Sprintf("%d more errors were left out: a response lists at most %d.", len(errs)-max, max)})
}

// bodyError maps a failure to read the body: too large is a 413; a body slower than the read
// deadline is a 408; anything else (a body shorter than its Content-Length, a broken connection)
// is the client's malformed request, a 400.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Title: TitlePayloadTooLarge,
			Detail: fmt.Sprintf("The request body is larger than %d bytes.", tooLarge.Limit)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Status: http.StatusRequestTimeout, Title: TitleRequestTimeout, Detail: "The request body did not arrive in time."}
	}
	return &Error{Status: http.StatusBadRequest, Title: TitleRequestData, Detail: "The request body could not be read completely."}
}
