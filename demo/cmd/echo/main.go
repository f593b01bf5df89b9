// Command echo is the demo backend: it serves echo.Handler, answering every request with a JSON
// description of what it received (method, path, raw path, request URI, headers).
//
// It prints the address it listens on as the first line of its standard output, so a script or a
// test can start it with -addr 127.0.0.1:0 and read the free port it was given. It logs one line per
// request on standard error and stops cleanly on SIGINT or SIGTERM.
//
// Usage:
//
//	echo [-addr 127.0.0.1:8081]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on (port 0 picks a free port)")
	flag.Parse()
	if err := run(*addr); err != nil {
		log.Fatalf("echo: %v", err)
	}
}

// run listens on addr, prints the bound address and serves until SIGINT or SIGTERM.
func run(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Println(ln.Addr().String())

	logger := log.New(os.Stderr, "echo: ", log.LstdFlags)
	srv := &http.Server{
		Handler: echo.Handler{Record: func(r echo.Request) {
			logger.Printf("%s %s (Authorization present: %t)", r.Method, r.RequestURI, r.Header.Get("Authorization") != "")
		}},
		ReadHeaderTimeout: 10 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
