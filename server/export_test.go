package server

import "time"

// AppendAccessLine is access.appendJSON for the tests of package server_test.
func AppendAccessLine(b []byte, t time.Time, requestID, method, uri string, status int, bytes int64, d time.Duration, remote string) ([]byte, bool) {
	a := access{time: t, requestID: requestID, method: method, uri: uri, status: status, bytes: bytes, duration: d, remote: remote}
	return a.appendJSON(b)
}
