package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"webapi/store"
	"webapi/store/demo"
)

func main() {
	ctx := context.Background()
	url := os.Args[1]
	db, err := store.Open(ctx, url)
	if err != nil {
		panic(err)
	}
	start := time.Now()
	if err := store.Migrate(ctx, db); err != nil {
		panic(err)
	}
	fmt.Println("migrate", time.Since(start))
	start = time.Now()
	last := time.Now()
	err = demo.Seed(ctx, db, 50, func(done, total int) {
		if time.Since(last) > 2*time.Second {
			fmt.Println(done, total, time.Since(start))
			last = time.Now()
		}
	})
	fmt.Println("seed", time.Since(start), err)
	db.Close()
}
