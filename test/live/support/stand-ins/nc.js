#!/usr/local/bin/node
/* Stand-in for busybox `nc -z <host> <port>` (live tier only): exit 0 when the port accepts a connection. */
"use strict";
const net = require("node:net");
const args = process.argv.slice(2).filter((arg) => arg !== "-z");
const socket = net.connect({ host: args[0], port: Number(args[1]), timeout: 2000 });
socket.on("connect", () => { socket.end(); process.exit(0); });
socket.on("timeout", () => process.exit(1));
socket.on("error", () => process.exit(1));
