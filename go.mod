module github.com/plugfs/plugfs

go 1.26.8
