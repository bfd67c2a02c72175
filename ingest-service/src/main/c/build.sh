#!/bin/sh
# Builds the ingest's JPEG decoder (faces_jpeg.c, faces_tutorial.c, resize*.c) into OUT_DIR/libfacesjpeg.so during
# the Maven build:
#   build.sh JAVA_HOME OUT_DIR
# It needs gcc and libjpeg-turbo's headers (Debian: gcc, libjpeg62-turbo-dev). Without them it says so and
# builds nothing; the ingest then decodes with ImageIO and logs that it does. At run time the library needs
# libjpeg.so.62 (Debian: libjpeg62-turbo, which Debian's JDK depends on already). Debian's libjpeg.a is not
# position-independent, so it cannot be linked into a shared library.
set -eu
java_home=$1; out=$2
dir=$(dirname "$0")
src="$dir/faces_jpeg.c $dir/faces_tutorial.c $dir/resize.c $dir/resize_avx512.c"
if ! command -v gcc > /dev/null || [ ! -f /usr/include/jpeglib.h ]; then
  echo "[faces-jpeg] WARNING: gcc or libjpeg-turbo's headers (Debian: libjpeg62-turbo-dev) are missing; the ingest will decode with ImageIO"
  exit 0
fi
mkdir -p "$out"
if [ -f "$out/libfacesjpeg.so" ] && [ -z "$(find "$dir" -newer "$out/libfacesjpeg.so" -type f)" ]; then
  exit 0
fi
gcc -O3 -fPIC -shared -fvisibility=hidden -Wall -Werror -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$out/libfacesjpeg.so" $src -ljpeg -lm
echo "[faces-jpeg] built $out/libfacesjpeg.so"
