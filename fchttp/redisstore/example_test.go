package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fchttp/redisstore"
)

// This example keeps a site's sessions in Redis: every instance connects to
// the same Redis and has the same FC_* variables and FS_SESSION_KEYS. A
// logout then ends the session on every instance, and
// LogoutEverywhere(ctx, sub) every session of one person. To keep the
// sessions in sealed cookies and only the list of ended ones in Redis, set
// Config.Revocations to the Store instead of Config.Store.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	store, err := redisstore.New(redisstore.Config{Client: rdb, Prefix: "demarches:"})
	if err != nil {
		log.Fatal(err)
	}
	fc, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	fc.Register(mux)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}
