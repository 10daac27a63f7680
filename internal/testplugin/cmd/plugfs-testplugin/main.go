// Command plugfs-testplugin is the test plugin as an executable, for tests
// that launch third-party plugins by path.
package main

import "github.com/plugfs/plugfs/internal/testplugin"

func main() { testplugin.Main() }
