package lambdafn

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type benchEvent struct {
	UserName string            `json:"userName"`
	Attrs    map[string]string `json:"attrs"`
}

func benchHandler(_ context.Context, e benchEvent) (benchEvent, error) { return e, nil }

var benchPayload = []byte(`{"userName":"ann","attrs":{"email":"ann@example.com","sub":"4c38c4d8-8021-7015-c4b2-1a4a5e9e2ad8"}}`)

// BenchmarkHandlerFloor is aws-lambda-go's own JSON handler, called
// directly: the floor for BenchmarkInvokeGoHandler.
func BenchmarkHandlerFloor(b *testing.B) {
	h := lambda.NewHandler(benchHandler)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeGoHandler is a registered Go handler through the
// registry (timeout, Lambda context, panic guard, goroutine).
func BenchmarkInvokeGoHandler(b *testing.B) {
	r := New()
	defer r.Close()
	if err := r.RegisterHandler(testARN, benchHandler); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Invoke(ctx, testARN, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeProgram is one invocation of a running aws-lambda-go
// program through the Runtime API (two HTTP exchanges on loopback).
func BenchmarkInvokeProgram(b *testing.B) {
	r := newProgramRegistry(b, "echo", 10*time.Second)
	ctx := context.Background()
	if _, err := r.Invoke(ctx, testARN, []byte(`{}`)); err != nil { // start it
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Invoke(ctx, testARN, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}
