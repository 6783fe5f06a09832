package identity_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

// TestOneExchangeAtExpiry: 1,000 goroutines asking an aws.CredentialsCache
// over a Provider at the moment the credentials expire cause exactly one
// exchange.
func TestOneExchangeAtExpiry(t *testing.T) {
	for _, flow := range []string{"enhanced", "basic"} {
		t.Run(flow, func(t *testing.T) {
			f, s := newFakeCognito(), newFakeSTS()
			var exchanges atomic.Int64
			first := time.Now().Add(150 * time.Millisecond)
			expiry := func() time.Time {
				if exchanges.Add(1) == 1 {
					return first
				}
				time.Sleep(20 * time.Millisecond) // let the waiters pile up
				return time.Now().Add(time.Hour)
			}
			f.getCreds = func(in *cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
				return &cognitoidentity.GetCredentialsForIdentityOutput{IdentityId: in.IdentityId, Credentials: &citypes.Credentials{
					AccessKeyId: aws.String("AK"), SecretKey: aws.String("S"), Expiration: aws.Time(expiry())}}, nil
			}
			var p aws.CredentialsProvider = identity.NewProvider(f, testPool)
			if flow == "basic" {
				f.getOpenID = func(in *cognitoidentity.GetOpenIdTokenInput) (*cognitoidentity.GetOpenIdTokenOutput, error) {
					s.expires = expiry()
					return &cognitoidentity.GetOpenIdTokenOutput{IdentityId: in.IdentityId, Token: aws.String("t")}, nil
				}
				p = identity.NewBasicProvider(f, s, testPool, testRole)
			}
			cache := aws.NewCredentialsCache(p)
			c, err := cache.Retrieve(ctx)
			require.NoError(t, err)
			require.Equal(t, first, c.Expires)
			for !c.Expired() {
				time.Sleep(5 * time.Millisecond)
			}

			const n = 1000
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					c, err := cache.Retrieve(context.Background())
					if err == nil && !c.Expires.After(first) {
						err = assert.AnError
					}
					errs <- err
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, int64(2), exchanges.Load(), "the first exchange and exactly one refresh")
			assert.Equal(t, int64(1), f.nGetID.Load())
		})
	}
}

// TestProviderConcurrentUse: a Provider shared without a cache is race-free
// and resolves one identity.
func TestProviderConcurrentUse(t *testing.T) {
	f := newFakeCognito()
	p := identity.NewProvider(f, testPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.GoogleLogin("g"))
	})
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Retrieve(ctx)
			assert.NoError(t, err)
			_ = p.IdentityID()
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), f.nGetID.Load())
	assert.Equal(t, int64(50), f.nGetCreds.Load())
}

// BenchmarkCachedRetrieve measures Retrieve of aws.CredentialsCache over a
// Provider once the credentials are cached.
func BenchmarkCachedRetrieve(b *testing.B) {
	cache := aws.NewCredentialsCache(identity.NewProvider(newFakeCognito(), testPool))
	if _, err := cache.Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cache.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedRetrieveParallel is BenchmarkCachedRetrieve from all CPUs.
func BenchmarkCachedRetrieveParallel(b *testing.B) {
	cache := aws.NewCredentialsCache(identity.NewProvider(newFakeCognito(), testPool))
	if _, err := cache.Retrieve(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cache.Retrieve(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

var sinkCreds aws.Credentials

// BenchmarkFloor is the physical floor of a cached Retrieve: load a pointer
// to the credentials atomically, copy them out, and read the clock to check
// their expiry.
func BenchmarkFloor(b *testing.B) {
	var ptr atomic.Pointer[aws.Credentials]
	ptr.Store(&aws.Credentials{AccessKeyID: "AK", SecretAccessKey: "S", CanExpire: true, Expires: time.Now().Add(time.Hour)})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := *ptr.Load()
		if c.Expired() {
			b.Fatal("expired")
		}
		sinkCreds = c
	}
}

// BenchmarkUncachedRetrieve is a whole exchange against in-process fakes
// (no network): the cost the cache saves, excluding the round trips.
func BenchmarkUncachedRetrieve(b *testing.B) {
	p := identity.NewProvider(newFakeCognito(), testPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.GoogleLogin("g"))
	})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := p.Retrieve(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
