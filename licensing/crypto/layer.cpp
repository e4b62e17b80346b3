// Placeholder so the crypto layer library exists before its first source lands; removed then.
