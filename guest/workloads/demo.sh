#!/bin/sh
# demo: the paper's journal example plus a few ordinary busybox commands.
/bin/wl-fstab
ls /
cat /proc/version
echo "hello from the vmscope demo" > /tmp/demo.txt
cat /tmp/demo.txt
rm /tmp/demo.txt
