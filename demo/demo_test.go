package demo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/basicauthbypass/basicauthbypass/demo/internal/echo"
)

// TestDemoScript runs `./run.sh` as `make demo` does, runs the three curl commands it prints, and
// checks that SIGINT (Ctrl-C) stops Traefik and the backend and ends the script with status 0.
func TestDemoScript(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not found: the demo prints curl commands, install curl to run this test")
	}
	port := freePort(t)
	cmd := exec.Command("./run.sh")
	cmd.Env = append(os.Environ(), fmt.Sprintf("DEMO_PORT=%d", port), "TRAEFIK_BIN="+traefikBinary(t))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var output, stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// One goroutine reads standard output to its end, keeps it all in output and passes the
	// first lines on, then reaps the script.
	lines := make(chan string, 100)
	done := make(chan struct{})
	var exitErr error
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			_, _ = output.Write([]byte(sc.Text() + "\n"))
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		exitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		// Nothing may outlive the test: the script's trap stops Traefik and the backend.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("run.sh stdout:\n%s\nstderr:\n%s", output.String(), stderr.String())
		}
	})

	// Read the banner up to "Press Ctrl-C", bounded.
	var banner []string
	deadline := time.After(2 * readyTimeout)
	for finished := false; !finished; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("run.sh ended before printing its banner")
			}
			banner = append(banner, line)
			finished = strings.HasPrefix(line, "Press Ctrl-C")
		case <-deadline:
			t.Fatalf("run.sh printed no banner within %v", 2*readyTimeout)
		}
	}

	text := strings.Join(banner, "\n")
	m := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+), backend \(echo\) on http://(\S+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("banner has no URLs:\n%s", text)
	}
	url, backendAddr := m[1], m[2]
	if want := fmt.Sprintf("http://127.0.0.1:%d", port); url != want {
		t.Errorf("got URL %s, want %s", url, want)
	}
	if !strings.Contains(text, "demo / demo") {
		t.Errorf("banner does not show the credentials demo / demo:\n%s", text)
	}

	var curls []string
	for _, line := range banner {
		if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			curls = append(curls, strings.TrimSpace(line))
		}
	}
	wantStatus := []string{"401", "200", "200"}
	if len(curls) != len(wantStatus) {
		t.Fatalf("got %d curl commands, want %d:\n%s", len(curls), len(wantStatus), text)
	}
	for i, c := range curls {
		// The printed command, as a user would paste it, with a bound on its run time.
		out, err := exec.Command("sh", "-c", strings.Replace(c, "curl ", curl+" -sS --max-time 10 ", 1)).Output()
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		resp := string(out)
		if status := strings.Fields(resp + " x x")[1]; status != wantStatus[i] {
			t.Errorf("%s: got status %s, want %s\n%s", c, status, wantStatus[i], resp)
		}
		if i == 2 {
			// The bypassed request: the backend must have received the token intact.
			body := resp[strings.Index(resp, "{"):]
			var got echo.Request
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%s: decoding the echo: %v\n%s", c, err, resp)
			}
			if auth := got.Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer ") || !strings.Contains(c, auth) {
				t.Errorf("%s: backend got Authorization %q, want the Bearer token of the command", c, auth)
			}
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		if exitErr != nil {
			t.Errorf("run.sh after Ctrl-C: got %v, want exit status 0", exitErr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run.sh still running 20 s after Ctrl-C")
	}
	for _, addr := range []string{strings.TrimPrefix(url, "http://"), backendAddr} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Ctrl-C", addr)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
