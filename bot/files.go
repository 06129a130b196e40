package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// MaxDownload caps a file a member sends with a command, on every
// platform: Agora's imports are far smaller, and a member must not make it
// hold a large file in memory.
const MaxDownload = 2 << 20

// ErrTooLarge is a file over MaxDownload, by its declared size or by what
// the platform's file server sends.
var ErrTooLarge = errors.New("over the download cap")

// Download fetches a member's file from url through hc, reading no
// further than MaxDownload. declared is the size the platform announced
// (0 when unknown): a file announced too large is not fetched at all.
func Download(ctx context.Context, hc *http.Client, url string, declared int64) ([]byte, error) {
	if err := CheckDeclaredSize(declared); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if len(data) > MaxDownload {
		return nil, fmt.Errorf("download: more than %d bytes, %w", MaxDownload, ErrTooLarge)
	}
	return data, nil
}

// CheckDeclaredSize refuses a file whose announced size is over
// MaxDownload, before anything is asked of the platform.
func CheckDeclaredSize(declared int64) error {
	if declared > MaxDownload {
		return fmt.Errorf("file of %d bytes: %w of %d", declared, ErrTooLarge, MaxDownload)
	}
	return nil
}

// FileRefusal answers a command whose file (name) could not be brought,
// because of err: the command does not run, since running it as if no file
// had been sent would ask for one (or open a form) with no word about the
// member's file.
func FileRefusal(l *locales.Localizer, name string, err error) *commands.Response {
	if errors.Is(err, ErrTooLarge) {
		return commands.Private(l.T("error.file_too_large", locales.Data{"Name": name, "Max": l.Number(MaxDownload >> 20)}))
	}
	return commands.Private(l.T("error.file_unavailable", locales.Data{"Name": name}))
}
