module github.com/go-franceconnect/franceconnect/fchttp/redisstore

go 1.26.0

require (
	github.com/go-franceconnect/franceconnect v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.23.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-jose/go-jose/v4 v4.1.8 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/oauth2 v0.37.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

// Versioned with the library: a release tags fchttp/redisstore/vX.Y.Z and
// requires the library's vX.Y.Z; within the repository it builds against
// the library beside it.
replace github.com/go-franceconnect/franceconnect => ../..
