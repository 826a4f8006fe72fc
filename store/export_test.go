package store

// MigrateTo applies the migrations up to version only, for tests of upgrades.
var MigrateTo = migrateTo
