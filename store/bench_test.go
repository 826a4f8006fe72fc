package store_test

import (
	"context"
	"testing"

	"webapi/store"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// BenchmarkMigrate measures migrating an empty database to the latest version.
func BenchmarkMigrate(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := storetest.OpenEmpty(b, backend)
				b.StartTimer()
				if err := store.Migrate(context.Background(), db); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDemoSeed measures loading the demo data set at scale 1.
func BenchmarkDemoSeed(b *testing.B) {
	for _, backend := range storetest.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, backend)
				b.StartTimer()
				if err := demo.Seed(context.Background(), db, 1, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
