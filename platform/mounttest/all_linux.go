//go:build linux

package mounttest

import "testing"

// All is the suite: every test by name. Each test gets mnt, a fresh empty
// directory on the file system under test, and asserts exact errno values.
// [RunAll] runs them all; a caller may also run one directly.
var All = map[string]func(t *testing.T, mnt string){
	"FileLifecycle":        testFileLifecycle,
	"DirLifecycle":         testDirLifecycle,
	"Append":               testAppend,
	"Truncate":             testTruncate,
	"OpenExclTrunc":        testOpenExclTrunc,
	"OpenUmask":            testOpenUmask,
	"OpenErrors":           testOpenErrors,
	"NameLimits":           testNameLimits,
	"RenameFile":           testRenameFile,
	"RenameDir":            testRenameDir,
	"RenameNoReplace":      testRenameNoReplace,
	"RenameExchange":       testRenameExchange,
	"RenameOpenFile":       testRenameOpenFile,
	"RenameOpenDir":        testRenameOpenDir,
	"RenameOverOpenFile":   testRenameOverOpenFile,
	"UnlinkOpen":           testUnlinkOpen,
	"HardLinks":            testHardLinks,
	"Symlinks":             testSymlinks,
	"SymlinkLoop":          testSymlinkLoop,
	"ReaddirDots":          testReaddirDots,
	"ReaddirTypes":         testReaddirTypes,
	"ReaddirLarge":         testReaddirLarge,
	"ReaddirWhileChanging": testReaddirWhileChanging,
	"ReaddirSeek":          testReaddirSeek,
	"Chmod":                testChmod,
	"Chown":                testChown,
	"Permissions":          testPermissions,
	"KillSuid":             testKillSuid,
	"Utimens":              testUtimens,
	"TimesChange":          testTimesChange,
	"Xattrs":               testXattrs,
	"XattrErrors":          testXattrErrors,
	"SparseRead":           testSparseRead,
	"LargeOffsets":         testLargeOffsets,
	"LargeFileCopy":        testLargeFileCopy,
	"Fsync":                testFsync,
	"ManyOpenFiles":        testManyOpenFiles,
	"OpenCloseLoop":        testOpenCloseLoop,
	"ConcurrentFiles":      testConcurrentFiles,
	"ParallelAppend":       testParallelAppend,
	"MmapRead":             testMmapRead,
	"MmapSharedWrite":      testMmapSharedWrite,
	"Statfs":               testStatfs,
	"Mkfifo":               testMkfifo,
}
