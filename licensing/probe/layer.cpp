// Placeholder so the probe layer library exists before its first source lands; removed then.
