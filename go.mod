module github.com/basicauthbypass/basicauthbypass

go 1.20
