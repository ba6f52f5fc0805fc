package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sigconv/sigconv/driver"
)

// loadSet is the first half that check and convert share: expand the
// paths (skipping .-directories and --exclude globs, once per file, "-"
// for stdin), read and parse them, and resolve them with the filter files.
func loadSet(paths, filterPaths, exclude []string, stdin io.Reader) (*driver.Set, error) {
	files, filters, err := expand(paths, filterPaths, exclude)
	if err != nil {
		return nil, err
	}
	return driver.Resolve(driver.Read(files, stdin), driver.Read(filters, stdin)), nil
}

// openStream is loadSet for convert: the same files, read for streaming
// (driver.Stream gives the results Set would, holding one file at a time).
func openStream(paths, filterPaths, exclude []string, stdin io.Reader) (*driver.Stream, error) {
	files, filters, err := expand(paths, filterPaths, exclude)
	if err != nil {
		return nil, err
	}
	return driver.OpenStream(files, filters, stdin), nil
}

func expand(paths, filterPaths, exclude []string) (files, filters []string, err error) {
	opt := driver.ExpandOptions{Exclude: exclude}
	files, err = driver.Expand(paths, opt)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, noRulesError(paths)
	}
	filters, err = driver.Expand(filterPaths, opt)
	return files, filters, err
}

func isYAML(path string) bool { return driver.IsYAML(path) }

// errNoRules is a path that holds no rule: exit 1, not a usage error.
var errNoRules = errors.New("no rules found")

func noRulesError(paths []string) error {
	return fmt.Errorf("%w in %s", errNoRules, strings.Join(paths, ", "))
}

// loadExit is the exit status of a failed loadSet.
func loadExit(err error) int {
	if errors.Is(err, errNoRules) {
		return 1
	}
	return 2
}
