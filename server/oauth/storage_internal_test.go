package oauth

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// The written-out dummy hash costs what a stored password's hash costs, so that an unknown
// user's answer takes as long as a known one's.
func TestDummyHashCostsWhatAPasswordCosts(t *testing.T) {
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("bcrypt.Cost(dummyHash) = %d, %v; want %d", cost, err, bcrypt.DefaultCost)
	}
	if bcrypt.CompareHashAndPassword(dummyHash, []byte("")) == nil {
		t.Fatal("dummyHash matches the empty password")
	}
}
