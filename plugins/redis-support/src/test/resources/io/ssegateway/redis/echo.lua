-- KEYS[1]: a key to write ARGV[1] to; returns what it wrote
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
