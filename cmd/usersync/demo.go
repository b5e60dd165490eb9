package main

import (
	"context"
	"fmt"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	return fmt.Errorf("demo: not built yet")
}
