echo "sample app running on $(uname -m) (built on $(cat /app/built-on))"
